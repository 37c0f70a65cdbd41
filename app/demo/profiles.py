"""Demo profiles: a short text for the demo accounts and most extra members, and a photo for a few.

The photos are drawn here (a head and shoulders on a coloured background, no real person) and go
through the same pipeline as an upload: checked, re-encoded square and stored in UPLOAD_DIR
(app.uploads.store_avatar). The others show their initials.
"""
import io

from werkzeug.datastructures import FileStorage

from app import uploads
from app.accounts import profiles

BIOS = {
    "beheerder@example.org":
        "Ik beheer CollectieveKracht namens de onderzoeksgroep. Ik beoordeel nieuwe zelfscans, "
        "maak de pagina's van collectieven en help als er iets niet lukt.\n\n"
        "Vragen over het platform? Noem me met **@Bea de Beheerder** in een discussie.",
    "lid@example.org":
        "Vertegenwoordiger van Energiecoöperatie Zonnedorp in Zeist. In het dagelijks leven "
        "docent natuurkunde; bij de coöperatie houd ik me vooral bezig met nieuwe daken en met "
        "het werven van vrijwilligers.",
    "lid2@example.org":
        "Ik help bij Zorgcoöperatie Hoogeloon met de planning van vrijwilligers en de "
        "maandelijkse koffieochtend. Benieuwd hoe andere zorgcoöperaties jongere leden bereiken.",
    "financier@example.org":
        "Fondsmanager bij een regionaal energiefonds. Ik denk graag mee over leningen, "
        "ledenobligaties en de businesscase van een project, ook als het nog pril is.",
    "onderzoeker@example.org":
        "Onderzoeker burgerparticipatie. Ik beantwoord vragen in het Sciencelab over "
        "onderzoeksopzet, enquêtes onder leden en wat de literatuur zegt over samenwerking.",
    "ambtenaar@example.org":
        "Beleidsadviseur energietransitie bij een gemeente. In het Overheidslab vertel ik hoe "
        "gemeenten besluiten nemen over subsidies, grond en vergunningen.",
    "netwerk@example.org":
        "Ik werk bij een koepel van lokale coöperaties en breng collectieven met dezelfde vraag "
        "bij elkaar. Zoek je een collectief dat iets al eens heeft gedaan? Vraag het me.",
    "sanne.devries@example.org":
        "Secretaris van Windcoöperatie De Wieken. Ik schrijf de nieuwsbrief en regel de "
        "algemene ledenvergadering.",
    "mohamed.elidrissi@example.org":
        "Penningmeester bij Buurtenergie Oost. Ik houd van een sluitende begroting en van "
        "energiecafés waar de hele buurt binnenloopt.",
    "ingrid.postma@example.org":
        "Wijkverpleegkundige en bestuurslid van Buurtzorg Samen Sterk in Leeuwarden.",
    "fatima.bakkali@example.org":
        "Tuinder bij Voedselcoöperatie De Akker. Ik deel graag wat we leerden over "
        "oogstaandelen en het vasthouden van leden in de winter.",
}

# Who gets a drawn photo, and its colours (background, figure).
PHOTOS = {
    "lid@example.org": ((31, 95, 153), (246, 214, 170)),
    "financier@example.org": ((29, 107, 79), (233, 196, 160)),
    "onderzoeker@example.org": ((122, 62, 157), (198, 150, 112)),
    "sanne.devries@example.org": ((162, 59, 42), (250, 224, 196)),
}


def _drawn_photo(background, figure, size=320):
    """A PNG of a head and shoulders on a plain background: clearly a placeholder, not a person."""
    from PIL import Image, ImageDraw  # only when seeding (test_memory_imports)

    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.32, size * 0.16, size * 0.68, size * 0.52), fill=figure)
    draw.ellipse((size * 0.14, size * 0.58, size * 0.86, size * 1.25), fill=figure)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_profiles(people):
    """Texts and photos for the demo people (a dict of e-mail → User); counts for the summary."""
    texts = photos = 0
    for email, person in people.items():
        bio = BIOS.get(email)
        avatar_name = None
        if email in PHOTOS:
            upload = FileStorage(stream=io.BytesIO(_drawn_photo(*PHOTOS[email])), filename="foto.png")
            avatar_name = uploads.store_avatar(upload, profiles.AVATAR_SIDE).stored_name
            photos += 1
        if bio or avatar_name:
            profiles.save_profile(person, person.name, bio or "", avatar_name=avatar_name)
            texts += bool(bio)
    return {"profile texts": texts, "profile photos": photos}
