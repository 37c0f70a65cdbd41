"""Demo knowledge base: items of all four kinds, with themes, sectors, dimensions and attachments.

The texts are our own, written for the demo around the questions collectives bring up (FAQ and
DESIGN.md): volunteers, succession, member capital, the municipality, measuring impact, statutes.
Attachments (PDF, DOCX, XLSX, ODT) are generated here and stored through app.uploads, so they pass
the same checks as an upload by a moderator.
"""
import io
import zipfile
from datetime import datetime, timedelta
from xml.sax.saxutils import escape


from app.extensions import db
from app.knowledge.services import render_body
from app.models.collectives import SECTORS
from app.models.knowledge import (
    FACET_DIMENSION,
    FACET_SECTOR,
    FACET_THEME,
    STATUS_DRAFT,
    STATUS_PUBLISHED,
    KnowledgeAttachment,
    KnowledgeItem,
)
from app.selfscan.pdf import ENCODING, clean
from app.slugs import slugify
from app.timeutil import utcnow
from app.uploads import store_bytes

ALL_SECTORS = list(SECTORS)
EDITORS = "Redactie CollectieveKracht"
RESEARCH_GROUP = "Onderzoeksgroep Social Enterprise and Institutions for Collective Action"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed, so generated files are the same on every run


def _body(*paragraphs):
    """Markdown from paragraphs (the renderer turns single line breaks into <br>)."""
    return "\n\n".join(paragraphs)


# Each item: kind, title, summary, body, themes, sectors, dimensions, source, days ago published
# (None = draft), attachments [(file name, generator key)].
ITEMS = [
    # -- praktijkvoorbeelden -----------------------------------------------------------------
    dict(
        kind="praktijkvoorbeeld",
        title="Twintig nieuwe vrijwilligers in één voorjaar: zo pakte een energiecoöperatie het aan",
        summary="Een energiecoöperatie knipte grote taken op in klussen van een paar uur en vroeg "
                "mensen persoonlijk. Binnen drie maanden meldden zich twintig nieuwe vrijwilligers.",
        body=_body(
            "### De situatie",
            "Het bestuur van vijf mensen deed bijna alles zelf: de administratie, de contacten met "
            "dakeigenaren, de nieuwsbrief en de ledenvergadering. Oproepen in de nieuwsbrief leverden "
            "niets op.",
            "### Wat ze deden",
            "- Ze maakten een lijst van alle taken en knipten die op in **klussen van hoogstens vier "
            "uur**, met een duidelijk begin en eind.\n- Elke bestuurder vroeg drie leden persoonlijk, "
            "met één concrete klus in gedachten.\n- Nieuwe vrijwilligers kregen een maatje uit de "
            "werkgroep voor de eerste klus.\n- Na afloop werd elke klus in de nieuwsbrief genoemd, "
            "met naam en toestemming.",
            "### Wat het opleverde",
            "Twintig mensen deden in het voorjaar minstens één klus; twaalf van hen zitten een jaar "
            "later in een werkgroep. Het bestuur heeft nu tijd voor de plannen voor een tweede dak.",
            "### Tips om zelf te beginnen",
            "Begin klein: kies één taak die het bestuur het meest tijd kost en maak daar drie klussen "
            "van. Vraag persoonlijk; een algemene oproep voelt voor niemand als een uitnodiging.",
        ),
        themes=["actieve_leden", "ledengroei"], sectors=["energie"], dimensions=["leden"],
        source="Energiecoöperatie Zonnedorp", days=320,
    ),
    dict(
        kind="praktijkvoorbeeld",
        title="Opvolging geregeld: hoe een dorpscoöperatie een nieuwe voorzitter vond",
        summary="Twee jaar voor het vertrek van de voorzitter begon het bestuur met schaduwdraaien "
                "en een duo-voorzitterschap. De overdracht verliep zonder haperen.",
        body=_body(
            "### Waarom vroeg beginnen loont",
            "De voorzitter had de coöperatie twaalf jaar geleid en wist alles. Het bestuur besloot "
            "twee jaar voor zijn afscheid om de opvolging als project aan te pakken, niet als "
            "vacature.",
            "### De aanpak",
            "1. Het bestuur beschreef samen wat de voorzitter eigenlijk allemaal deed. Dat bleek veel "
            "meer dan vergaderingen leiden.\n2. Taken die niet bij de voorzitter hoefden te liggen, "
            "zoals het contact met de pers, gingen naar anderen.\n3. Twee leden draaiden een jaar "
            "mee als **schaduwvoorzitter**.\n4. Het laatste halfjaar was er een duo-voorzitterschap.",
            "### Lessen",
            "Maak de rol kleiner voordat je een opvolger zoekt. En leg vast wat in iemands hoofd "
            "zit: contactpersonen, afspraken en de geschiedenis van lopende dossiers.",
        ),
        themes=["opvolging"], sectors=["anders", "zorg"], dimensions=["bestuur"],
        source="Dorpsbelang Ons Erf", days=300,
        attachments=[],
    ),
    dict(
        kind="praktijkvoorbeeld",
        title="Ledenkapitaal ophalen voor een buurtbatterij",
        summary="Met certificaten van 250 euro haalde een buurtcoöperatie in zes weken 180.000 euro "
                "op bij 400 leden. Over de voorbereiding, de communicatie en de valkuilen.",
        body=_body(
            "### Het plan",
            "De coöperatie wilde een buurtbatterij plaatsen om zonnestroom overdag op te slaan. De "
            "bank wilde een lening geven als de leden zelf een derde inbrachten.",
            "### Zo ging het ophalen",
            "- Certificaten van **250 euro**, met een bescheiden rente en een looptijd van vijftien "
            "jaar.\n- Twee informatieavonden en een rekenvoorbeeld per huishouden.\n- Een teller op "
            "de website die dagelijks werd bijgewerkt.\n- Een maximum per lid, zodat niet een paar "
            "mensen het project gingen bezitten.",
            "### Waar ze op letten",
            "Ze lieten vooraf uitzoeken of een prospectus nodig was en hielden de risico's in gewone "
            "taal op één pagina bij elkaar. Leden waardeerden die eerlijkheid meer dan een "
            "glanzende folder.",
        ),
        themes=["financiering", "ledengroei"], sectors=["energie"], dimensions=["financien", "leden"],
        source="Buurtenergie Oost", days=280,
    ),
    dict(
        kind="praktijkvoorbeeld",
        title="Van subsidie naar samenwerkingsovereenkomst met de gemeente",
        summary="Een zorgcoöperatie kreeg jaarlijks een onzekere subsidie. Na gesprekken over wat "
                "de coöperatie de gemeente bespaart, kwam er een meerjarige overeenkomst.",
        body=_body(
            "### Het probleem",
            "Elk najaar was het afwachten of de subsidie doorging. Vrijwilligers en de betaalde "
            "coördinator leefden van jaar tot jaar.",
            "### De omslag",
            "De coöperatie bracht in beeld wat ze deed: hoeveel ritten, maaltijden en bezoeken, en "
            "welke hulp de gemeente anders zelf had moeten inkopen. Met die cijfers ging het bestuur "
            "in gesprek met de wethouder en het team Wmo.",
            "### De afspraak",
            "Een overeenkomst voor vier jaar, met afspraken over wat de coöperatie levert, hoe ze "
            "verantwoordt en hoe vaak beide partijen evalueren. De coöperatie houdt zelf de regie "
            "over hoe ze het werk doet.",
        ),
        themes=["gemeente", "financiering"], sectors=["zorg"], dimensions=["extern", "financien"],
        source="Zorgcoöperatie Hoogeloon", days=250,
    ),
    dict(
        kind="praktijkvoorbeeld",
        title="Een leegstaande school wordt een woongemeenschap",
        summary="Bewoners kochten samen een oude basisschool en bouwden die om tot twaalf "
                "woningen. Over bestemmingsplan, financiering en samen beslissen.",
        body=_body(
            "### Van idee naar koop",
            "Een groep van twaalf huishoudens richtte een vereniging op en deed een bod op de school. "
            "De gemeente gaf voorrang aan een plan met betaalbare woningen en een buurtfunctie.",
            "### Regels en vergunningen",
            "Het bestemmingsplan moest worden aangepast. Dat kostte een jaar. Het hielp dat de groep "
            "vroeg met de buurt sprak en een ruimte in het gebouw beschikbaar hield voor de wijk.",
            "### Samen beslissen",
            "Besluiten over de verbouwing nam de groep met consent: een besluit gaat door als niemand "
            "een overkomelijk bezwaar heeft. Dat ging langzamer, maar niemand haakte af.",
        ),
        themes=["regelgeving", "juridisch"], sectors=["wonen"], dimensions=["extern", "strategie"],
        source="Wooncoöperatie De Hofstede", days=210,
    ),
    dict(
        kind="praktijkvoorbeeld",
        title="Oogst en risico delen met de boer",
        summary="Leden van een voedselcollectief betalen aan het begin van het seizoen voor een "
                "oogstaandeel. Zo deelt de boer zijn risico en weten leden waar hun eten vandaan komt.",
        body=_body(
            "### Hoe het werkt",
            "Leden kopen in februari een oogstaandeel. De tuinder weet dan hoeveel hij kan uitgeven "
            "aan zaad, plantgoed en loon. Valt de oogst tegen, dan krijgt iedereen wat minder; "
            "is het een goed jaar, dan krijgt iedereen meer.",
            "### Wat leden eraan hebben",
            "Vers seizoensgroente, contact met de tuin en een stem in wat er volgend jaar geteeld "
            "wordt. Twee keer per jaar is er een ledenavond op de tuin.",
            "### Aandachtspunten",
            "Leg vooraf uit wat een misoogst betekent. Werk met een wachtlijst en een vaste datum "
            "waarop leden hun aandeel voor het volgende seizoen bevestigen.",
        ),
        themes=["financiering", "communicatie"], sectors=["voedsel"], dimensions=["doel", "financien"],
        source="Voedselcoöperatie De Akker", days=190,
    ),
    dict(
        kind="praktijkvoorbeeld",
        title="Twee energiecoöperaties delen één werkorganisatie",
        summary="Twee coöperaties uit buurgemeenten huren samen een parttime projectleider en een "
                "administratiekantoor in. Ze blijven zelfstandig, maar werken professioneler.",
        body=_body(
            "### Waarom samen",
            "Beide coöperaties hadden te veel werk voor vrijwilligers en te weinig voor een eigen "
            "betaalde kracht. Samen konden ze wel iemand voor drie dagen per week aannemen.",
            "### De afspraken",
            "- Een samenwerkingsovereenkomst met een verdeelsleutel op basis van het aantal leden.\n"
            "- Een stuurgroep met twee bestuurders van elke coöperatie.\n- Elke coöperatie houdt "
            "eigen leden, eigen ledenvergadering en eigen projecten.",
            "### Na twee jaar",
            "De projectleider heeft drie nieuwe zonnedaken voorbereid. De besturen besteden hun tijd "
            "nu aan leden en strategie in plaats van aan facturen.",
        ),
        themes=["samenwerking", "professionalisering"], sectors=["energie"],
        dimensions=["strategie", "bestuur"], source="Groene Stroom Achterhoek", days=150,
    ),
    # -- wetenschappelijke inzichten ---------------------------------------------------------
    dict(
        kind="wetenschappelijk",
        title="Waarom vrijwilligers blijven: wat onderzoek zegt over betrokkenheid",
        summary="Mensen blijven actief als ze zich nuttig voelen, erbij horen en zelf ruimte krijgen. "
                "Wat dat in de praktijk betekent voor een burgercollectief.",
        body=_body(
            "### In het kort",
            "Onderzoek naar vrijwilligerswerk laat steeds drie dingen zien die mensen betrokken "
            "houden: het gevoel **nuttig** te zijn, het gevoel **erbij te horen** en de ruimte om "
            "het werk op een eigen manier te doen.",
            "### Wat dat betekent voor jullie collectief",
            "- Laat zien wat een klus heeft opgeleverd; een bedankje met een concreet resultaat "
            "werkt beter dan een algemeen bedankje.\n- Zorg voor momenten waarop vrijwilligers elkaar "
            "zien, niet alleen om te vergaderen.\n- Geef vertrouwen: spreek het doel af, niet elke "
            "stap.",
            "### Waar het misgaat",
            "Vrijwilligers haken vaak af als het werk op steeds dezelfde mensen neerkomt, of als "
            "besluiten over hun hoofd heen worden genomen. Houd daarom de taken verdeeld en betrek "
            "mensen bij besluiten over hun eigen werk.",
        ),
        themes=["actieve_leden"], sectors=ALL_SECTORS, dimensions=["leden"],
        source=RESEARCH_GROUP, days=340,
    ),
    dict(
        kind="wetenschappelijk",
        title="De kleine kern: als het werk op een paar mensen neerkomt",
        summary="In veel collectieven draagt een kleine groep het meeste werk. Dat is kwetsbaar. "
                "Over de oorzaken en wat helpt om de last te spreiden.",
        body=_body(
            "### Het patroon",
            "Bij de start doen veel mensen mee. Na een paar jaar ligt het werk vaak bij een kleine "
            "kern die alles weet en alles doet. Nieuwe mensen vinden moeilijk een plek, en de kern "
            "raakt vermoeid.",
            "### Waarom het gebeurt",
            "Kennis zit in hoofden, niet op papier. Het is sneller om iets zelf te doen dan het uit "
            "te leggen. En wie veel doet, krijgt ook de nieuwe taken.",
            "### Wat helpt",
            "Maak werk zichtbaar en overdraagbaar: een takenlijst, draaiboeken en een gedeelde map. "
            "Spreek termijnen af voor bestuursfuncties. En kijk in de zelfscan naar de stellingen "
            "over de kleine groep en over opvolging: scoren jullie daar laag, dan is dit een "
            "aandachtspunt.",
        ),
        themes=["opvolging", "actieve_leden"], sectors=ALL_SECTORS, dimensions=["leden", "bestuur"],
        source=RESEARCH_GROUP, days=270,
    ),
    dict(
        kind="wetenschappelijk",
        title="Veerkracht in balans: producten, leden en organisatie",
        summary="Een collectief is veerkrachtig als drie pijlers in balans zijn: wat het levert, "
                "wie er meedoet en hoe het georganiseerd is. Uitleg van het model achter de zelfscan.",
        body=_body(
            "### Drie pijlers",
            "Het model achter de zelfscan kijkt naar drie pijlers: de **producten en diensten** die "
            "het collectief levert, de **leden** die meedoen en investeren, en de **organisatie en "
            "het bestuur** die alles bij elkaar houden.",
            "### Balans",
            "Problemen ontstaan vaak als één pijler hard groeit en de andere achterblijven. Een "
            "energiecoöperatie met veel projecten maar weinig actieve leden loopt vast op het "
            "bestuur; een collectief met veel enthousiaste leden maar zonder duidelijk aanbod "
            "verliest ze weer.",
            "### Zo gebruik je het",
            "Leg de scores van jullie zelfscan naast elkaar. Welke dimensie blijft achter bij de "
            "andere? Daar zit meestal de volgende stap.",
        ),
        themes=["kennis", "professionalisering"], sectors=ALL_SECTORS,
        dimensions=["doel", "leden", "bestuur", "strategie"], source=RESEARCH_GROUP, days=360,
    ),
    dict(
        kind="wetenschappelijk",
        title="Hoe afhankelijk maakt subsidie? Over financiële autonomie",
        summary="Subsidie helpt bij de start, maar kan een collectief ook afhankelijk maken. Wat "
                "onderzoek zegt over een gezonde mix van eigen inkomsten en steun van buiten.",
        body=_body(
            "### Twee kanten",
            "Subsidie maakt veel mogelijk, zeker in het begin. Maar wie er volledig van afhangt, "
            "past zich vaak aan de wensen van de financier aan, en komt in de problemen als de "
            "regeling stopt.",
            "### Een gezonde mix",
            "Collectieven die een flink deel van hun inkomsten zelf verdienen, via contributie, "
            "verkoop of diensten, houden meer hun eigen koers. Subsidie is dan een aanvulling voor "
            "nieuwe plannen, niet de basis voor de vaste lasten.",
            "### Vragen voor jullie bestuur",
            "- Welk deel van onze vaste kosten dekken we zelf?\n- Wat gebeurt er als onze grootste "
            "subsidie stopt?\n- Hebben we een reserve voor een half jaar?",
        ),
        themes=["financiering"], sectors=ALL_SECTORS, dimensions=["financien", "extern"],
        source=RESEARCH_GROUP, days=230,
    ),
    dict(
        kind="wetenschappelijk",
        title="Collectief en gemeente: vier manieren om samen te werken",
        summary="Gemeenten kunnen een collectief faciliteren, opdrachten geven, samen optrekken of "
                "juist loslaten. Elk van die rollen vraagt iets anders van het collectief.",
        body=_body(
            "### Vier rollen van de gemeente",
            "1. **Faciliteren**: ruimte, een klein budget of hulp bij vergunningen.\n2. **Opdracht "
            "geven**: de gemeente koopt een dienst in bij het collectief.\n3. **Samen optrekken**: "
            "gelijkwaardige partners met een gezamenlijk doel.\n4. **Loslaten**: het collectief "
            "neemt een taak helemaal over, bijvoorbeeld met het Right to Challenge.",
            "### Wat het van jullie vraagt",
            "Bij een opdracht horen afspraken over kwaliteit en verantwoording. Bij samen optrekken "
            "horen gedeelde doelen en een vaste contactpersoon. Maak bewust welke rol jullie "
            "willen, en zeg het als de gemeente iets anders verwacht.",
        ),
        themes=["gemeente"], sectors=ALL_SECTORS, dimensions=["extern"],
        source=RESEARCH_GROUP, days=175,
    ),
    dict(
        kind="wetenschappelijk",
        title="Wie doet (nog) niet mee? Over inclusie in burgercollectieven",
        summary="Burgercollectieven trekken vaak mensen die op elkaar lijken. Over wie er "
                "ontbreekt, waarom, en kleine stappen om een bredere groep te bereiken.",
        body=_body(
            "### Het beeld",
            "Leden van burgercollectieven zijn vaak wat ouder, hoger opgeleid en wonen in een "
            "koophuis. Jongeren, huurders en mensen met een laag inkomen doen minder vaak mee.",
            "### Waarom dat ertoe doet",
            "Een collectief dat maar een deel van de buurt bereikt, mist kennis en mensen. En de "
            "voordelen, zoals goedkopere energie of hulp dichtbij, komen dan niet bij iedereen.",
            "### Kleine stappen",
            "- Laat de inleg laag beginnen of werk met een gespreide betaling.\n- Ga naar plekken "
            "waar mensen al komen, zoals de school of de sportclub.\n- Vraag nieuwe groepen wat zij "
            "nodig hebben, in plaats van uit te leggen wat jullie al doen.",
        ),
        themes=["ledengroei", "communicatie"], sectors=ALL_SECTORS, dimensions=["leden", "doel"],
        source="Hogeschool Samen Leven", days=120,
    ),
    # -- instrumenten ------------------------------------------------------------------------
    dict(
        kind="instrument",
        title="Ledenpeiling: een vragenlijst voor jullie eigen leden",
        summary="Een korte vragenlijst om te weten hoe tevreden en betrokken jullie leden zijn en "
                "wat ze van het collectief verwachten. Met een invulblad om de antwoorden te tellen.",
        body=_body(
            "### Waarvoor",
            "Met deze peiling onderzoeken jullie zelf hoe leden het collectief ervaren. Herhaal hem "
            "elk jaar of om de twee jaar, dan zien jullie wat er verandert.",
            "### Zo gebruik je het",
            "1. Pas de vragen in het Word-bestand aan jullie collectief aan.\n2. Verstuur de "
            "vragenlijst op papier of zet hem in een online formulier.\n3. Tel de antwoorden in het "
            "Excel-invulblad; de gemiddelden worden vanzelf berekend.\n4. Bespreek de uitkomsten op "
            "de ledenvergadering.",
            "### Let op privacy",
            "Vraag niet meer dan nodig is, en vraag geen namen als dat niet hoeft. Bewaar ingevulde "
            "lijsten niet langer dan nodig.",
        ),
        themes=["kennis", "actieve_leden"], sectors=ALL_SECTORS, dimensions=["leden", "doel"],
        source=RESEARCH_GROUP, days=200,
        attachments=[("Vragenlijst ledenpeiling.docx", "survey_docx"),
                     ("Invulblad ledenpeiling.xlsx", "survey_xlsx")],
    ),
    dict(
        kind="instrument",
        title="Rekenblad meerjarenbegroting voor kleine collectieven",
        summary="Een eenvoudig rekenblad om inkomsten en uitgaven voor drie jaar vooruit te zetten, "
                "met een reserve voor tegenvallers.",
        body=_body(
            "### Waarvoor",
            "Veel collectieven kijken alleen naar het lopende jaar. Met een begroting voor drie jaar "
            "zien jullie op tijd wanneer een subsidie stopt of een grote uitgave eraan komt.",
            "### Zo werkt het",
            "Vul per jaar de verwachte inkomsten en uitgaven in. Het rekenblad telt ze op en laat "
            "het saldo zien. Zet in de laatste regel wat jullie als reserve willen aanhouden.",
        ),
        themes=["financiering", "professionalisering"], sectors=ALL_SECTORS,
        dimensions=["financien"], source=EDITORS, days=160,
        attachments=[("Meerjarenbegroting.xlsx", "budget_xlsx")],
    ),
    dict(
        kind="instrument",
        title="Opvolgingsmatrix: wie neemt welke taak over?",
        summary="Een overzicht van sleuteltaken met per taak wie het nu doet, wie het kan overnemen "
                "en wat daarvoor nodig is. Helpt om opvolging bespreekbaar te maken.",
        body=_body(
            "### Waarvoor",
            "Als één of twee mensen stoppen, komt een collectief snel in de problemen. Deze matrix "
            "maakt zichtbaar waar dat risico zit.",
            "### Zo gebruik je het",
            "Vul de matrix samen in tijdens een bestuursvergadering. Kleur de taken waar niemand "
            "achter de tweede kolom staat. Daar beginnen jullie.",
        ),
        themes=["opvolging"], sectors=ALL_SECTORS, dimensions=["bestuur"],
        source="Landelijk Netwerk Burgercollectieven", days=140,
        attachments=[("Opvolgingsmatrix.odt", "succession_odt")],
    ),
    dict(
        kind="instrument",
        title="Gespreksleidraad voor een goed gesprek met de gemeente",
        summary="Vragen en stappen om een gesprek met de gemeente voor te bereiden: wat willen "
                "jullie, wat kunnen jullie bieden, en welke afspraken leggen jullie vast.",
        body=_body(
            "### Voor het gesprek",
            "- Wat is ons doel met dit gesprek, in één zin?\n- Wat leveren wij de gemeente op, in "
            "cijfers en verhalen?\n- Wie is onze vaste contactpersoon, en wie beslist bij de "
            "gemeente?",
            "### Tijdens het gesprek",
            "Luister naar wat de gemeente zelf wil bereiken. Zoek de overlap met jullie doel en "
            "benoem wat jullie níet willen, zoals het overnemen van taken zonder geld.",
            "### Na het gesprek",
            "Stuur binnen een week een kort verslag met de afspraken en wie wat doet.",
        ),
        themes=["gemeente", "communicatie"], sectors=ALL_SECTORS, dimensions=["extern"],
        source=EDITORS, days=95,
    ),
    dict(
        kind="instrument",
        title="Stappenplan: maatschappelijke waarde in beeld brengen",
        summary="In vijf stappen laten zien wat jullie collectief oplevert voor leden en buurt, "
                "zonder duur bureau. Handig voor gesprekken met gemeente en financiers.",
        body=_body(
            "### De vijf stappen",
            "1. Schrijf op voor wie jullie iets doen.\n2. Kies per groep twee of drie dingen die "
            "voor hen veranderen.\n3. Bedenk hoe je dat kunt tellen of laten zien.\n4. Verzamel een "
            "jaar lang cijfers en korte verhalen.\n5. Zet het op één pagina.",
            "### Tip",
            "Begin met wat je al bijhoudt, zoals het aantal ritten of de opgewekte stroom. "
            "Perfectie is niet nodig; eerlijkheid wel.",
        ),
        themes=["kennis", "gemeente"], sectors=ALL_SECTORS, dimensions=["doel", "strategie"],
        source="Hogeschool Samen Leven", days=60,
    ),
    # -- documenten --------------------------------------------------------------------------
    dict(
        kind="document",
        title="Modelstatuten voor een coöperatie met uitgesloten aansprakelijkheid",
        summary="Een voorbeeld van statuten voor een burgercoöperatie, met toelichting per artikel. "
                "Laat ze altijd door een notaris op jullie situatie afstemmen.",
        body=_body(
            "### Wat erin staat",
            "Doel, lidmaatschap, rechten en plichten van leden, het bestuur, de algemene "
            "ledenvergadering, ledenkapitaal en wat er gebeurt bij opheffing.",
            "### Waar jullie zelf over beslissen",
            "- Wie lid kan worden, en of er een toetredingsgeld is.\n- Hoe lang een bestuurstermijn "
            "duurt.\n- Hoe een eventueel overschot wordt besteed.",
            "### Let op",
            "Dit is een voorbeeld, geen juridisch advies. Een notaris legt de statuten vast in een "
            "akte.",
        ),
        themes=["juridisch", "regelgeving"], sectors=ALL_SECTORS, dimensions=["bestuur"],
        source=EDITORS, days=330,
        attachments=[("Modelstatuten cooperatie.pdf", "statutes_pdf")],
    ),
    dict(
        kind="document",
        title="Voorbeeld huishoudelijk reglement",
        summary="Een huishoudelijk reglement regelt wat niet in de statuten staat: vergaderen, "
                "werkgroepen, onkosten en het aannemen van nieuwe leden.",
        body=_body(
            "### Waarvoor",
            "Statuten zijn lastig te wijzigen. Praktische afspraken zet je daarom in een "
            "huishoudelijk reglement, dat de ledenvergadering zelf kan aanpassen.",
            "### Onderwerpen",
            "- Hoe en wanneer de ledenvergadering wordt bijeengeroepen.\n- Hoe werkgroepen worden "
            "ingesteld.\n- Welke onkosten vrijwilligers vergoed krijgen.",
        ),
        themes=["juridisch"], sectors=ALL_SECTORS, dimensions=["bestuur", "leden"],
        source=EDITORS, days=240,
        attachments=[("Huishoudelijk reglement voorbeeld.odt", "rules_odt")],
    ),
    dict(
        kind="document",
        title="Checklist: een algemene ledenvergadering organiseren",
        summary="Van uitnodiging tot notulen: een checklist voor een ledenvergadering waar leden "
                "echt invloed hebben.",
        body=_body(
            "### Vooraf",
            "- Stuur de uitnodiging op tijd, met de agenda en de stukken.\n- Zorg dat voorstellen "
            "begrijpelijk zijn, met een korte samenvatting.\n- Regel een volmacht voor leden die niet "
            "kunnen komen.",
            "### Tijdens",
            "Begin met de besluiten die het meest uitmaken. Geef leden ruimte voor vragen voordat "
            "er gestemd wordt.",
            "### Achteraf",
            "Stuur binnen twee weken de notulen met de besluitenlijst.",
        ),
        themes=["professionalisering", "communicatie"], sectors=ALL_SECTORS,
        dimensions=["bestuur", "leden"], source=EDITORS, days=110,
        attachments=[("Checklist ledenvergadering.pdf", "meeting_pdf")],
    ),
    dict(
        kind="document",
        title="Privacy in een collectief: een handreiking voor het bestuur",
        summary="Welke gegevens van leden en hulpvragers mogen jullie bewaren, hoe lang, en hoe "
                "houd je ze veilig? Een handreiking in gewone taal.",
        body=_body(
            "### De basis",
            "Bewaar alleen wat je nodig hebt voor het doel, vertel leden wat je bewaart en waarom, "
            "en gooi gegevens weg als je ze niet meer nodig hebt.",
            "### Praktisch",
            "- Houd ledenlijsten in één gedeelde, beveiligde map.\n- Geef alleen toegang aan wie "
            "het nodig heeft.\n- Spreek af wat er gebeurt als een laptop kwijtraakt.",
        ),
        themes=["juridisch", "regelgeving"], sectors=["zorg", "wonen", "anders"],
        dimensions=["bestuur"], source=EDITORS, days=45,
    ),
    # The FAQ's answer about scientific knowledge links here (SCIENCE_EXPLAINED_SLUG in
    # app/blueprints/public/routes.py is the address this title gets).
    dict(
        kind="document",
        title="Wetenschappelijke kennis uitgelegd",
        summary="Wat maakt kennis wetenschappelijk, hoe herken je het (peer review, een beschreven "
                "methode, bronnen) en hoe vind je het op CollectieveKracht? Met een korte uitleg "
                "van onderzoeksmethoden en citizen science.",
        body=_body(
            "### Twee soorten kennis",
            "Op CollectieveKracht komt kennis uit twee bronnen samen. De eerste is ervaring: wat "
            "collectieven zelf hebben geprobeerd, wat werkte en wat niet. De tweede is de "
            "wetenschap: wat onderzoekers stap voor stap hebben uitgezocht. Ze vullen elkaar aan. "
            "Hier lees je wat wetenschappelijke kennis anders maakt en hoe je haar herkent.",
            "### Drie kenmerken",
            "1. **Verklaringen die je kunt toetsen.** Onderzoekers willen begrijpen hoe de "
            "werkelijkheid in elkaar zit. Dat doen ze met ideeën die je met waarnemingen kunt "
            "controleren, en die dus ook onjuist kunnen blijken.\n"
            "2. **Zorgvuldige gegevens.** Wie onderzoek doet, legt vast hoe de gegevens zijn "
            "verzameld en verwerkt: wie er is gevraagd, hoeveel mensen, wanneer en met welke "
            "vragen.\n"
            "3. **De spelregels van de wetenschap.** Het onderzoek is onafhankelijk (geen "
            "opdrachtgever bepaalt de uitkomst), herhaalbaar (een ander kan het overdoen), open "
            "over de aanpak en beoordeeld door vakgenoten.",
            "### Zo herken je het",
            "- **Peer review.** Een artikel in een wetenschappelijk tijdschrift is voor publicatie "
            "anoniem beoordeeld door andere onderzoekers uit hetzelfde vak. Zij kijken of de "
            "aanpak deugt en of de conclusies uit de gegevens volgen. Een blog, persbericht of "
            "folder heeft die toets meestal niet gehad.\n"
            "- **Een beschreven methode.** Goed onderzoek vertelt hoe het is gedaan: een "
            "vragenlijst onder 300 coöperaties, gesprekken met twintig bestuurders, een "
            "vergelijking van jaarverslagen. Zo zie je zelf voor wie de uitkomst geldt.\n"
            "- **Bronnen.** Een wetenschappelijke tekst verwijst naar eerder onderzoek, zodat je "
            "kunt nagaan waar een bewering vandaan komt.\n"
            "- **Voorzichtige conclusies.** Onderzoekers zeggen erbij wat ze niet weten en waar "
            "hun onderzoek ophoudt. Wie belooft dat iets altijd werkt, wil meestal iets verkopen.",
            "### Verschillende manieren van onderzoek",
            "Hoe onderzoekers aan hun kennis komen, hangt af van de methode. Een vragenlijst onder "
            "veel collectieven laat patronen zien. Gesprekken of een casestudy laten zien waarom "
            "het in één collectief zo loopt. Een experiment vergelijkt wat er gebeurt met en zonder "
            "een bepaalde aanpak. Elke methode beantwoordt een ander soort vraag.",
            "### Citizen science",
            "Bij citizen science doen burgers zelf mee aan het onderzoek: ze verzamelen gegevens, "
            "bedenken mee welke vragen ertoe doen of helpen de uitkomsten te duiden. Hoe nauw "
            "onderzoekers en burgers samenwerken, verschilt per project. De zelfscan is ook een "
            "vorm van samenwerking: collectieven delen gegevens, de onderzoeksgroep zoekt uit wat "
            "ze laten zien en geeft die inzichten terug.",
            "### Wetenschappelijke kennis op CollectieveKracht",
            "- In de kennisbank hebben items uit onderzoek het label **Wetenschappelijk inzicht**. "
            "Kies bij *Soort* dat label om alleen die items te zien.\n"
            "- Bij elk item staat **door wie** het is geschreven, bijvoorbeeld de onderzoeksgroep "
            "of een lectoraat, zodat je weet waar de kennis vandaan komt.\n"
            "- Een **praktijkvoorbeeld** is ervaringskennis: waardevol, maar het verhaal van één "
            "collectief. Een wetenschappelijk inzicht kijkt over veel collectieven heen.\n"
            "- Een vraag voor een onderzoeker stel je in het **Sciencelab**.",
        ),
        themes=["kennis"], sectors=ALL_SECTORS, dimensions=["strategie"],
        source=RESEARCH_GROUP, days=380,
    ),
    # -- concepten (nog niet gepubliceerd) ------------------------------------------------------
    dict(
        kind="document",
        title="Model samenwerkingsovereenkomst tussen collectieven",
        summary="Een model om afspraken tussen twee of meer collectieven vast te leggen: doel, "
                "taken, kosten, besluitvorming en wat er gebeurt als een partij stopt.",
        body=_body(
            "### Concept",
            "Dit model wordt nog getoetst door twee collectieven die samenwerken. Opmerkingen zijn "
            "welkom bij de redactie.",
        ),
        themes=["samenwerking", "juridisch"], sectors=ALL_SECTORS, dimensions=["strategie", "extern"],
        source=EDITORS, days=None,
        attachments=[("Samenwerkingsovereenkomst model.docx", "cooperation_docx")],
    ),
    dict(
        kind="instrument",
        title="Communicatieplan in één middag",
        summary="Een werkvorm om met een kleine groep in één middag een eenvoudig communicatieplan "
                "te maken: boodschap, doelgroepen, kanalen en planning.",
        body=_body(
            "### Concept",
            "De werkvorm wordt deze maand getest. Daarna volgen de werkbladen.",
        ),
        themes=["communicatie", "ledengroei"], sectors=ALL_SECTORS, dimensions=["leden", "strategie"],
        source=EDITORS, days=None,
    ),
]


# -- generated attachments -------------------------------------------------------------------

def _pdf(title, paragraphs):
    from fpdf import FPDF  # loaded when the demo is seeded, not in every web worker

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(clean(title))
    pdf.set_author("CollectieveKracht")
    pdf.set_creator("CollectieveKracht")
    pdf.set_creation_date(datetime(2026, 1, 1))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for text in paragraphs:
        bold = text.startswith("# ")
        pdf.set_font("Helvetica", "B" if bold else "", 12 if bold else 10)
        pdf.multi_cell(0, 5.5, clean(text[2:] if bold else text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


def _zip(members):
    """A ZIP with fixed timestamps; members [(name, text, stored?)] in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text, stored in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _docx(title, paragraphs):
    """A minimal valid Word document: a heading and paragraphs."""
    def para(text, bold=False, size=None):
        props = ""
        if bold or size:
            props = "<w:rPr>" + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "") + "</w:rPr>"
        return f'<w:p><w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = para(title, bold=True, size=32) + "".join(
        para(text[2:], bold=True, size=26) if text.startswith("# ") else para(text) for text in paragraphs
    )
    return _zip([
        ("[Content_Types].xml", XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'), False),
        ("_rels/.rels", XML + (
            f'<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" '
            f'Type="{OFFICE_REL}/officeDocument" Target="word/document.xml"/></Relationships>'), False),
        ("word/document.xml", XML + (
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}<w:sectPr/></w:body></w:document>"), False),
    ])


def _column_letter(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xlsx(sheet_name, rows):
    """A minimal valid Excel workbook with one sheet; a cell is text, a number or "=FORMULA"."""
    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column_letter(c)}{r}"
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value.startswith("="):
                cells.append(f'<c r="{ref}"><f>{escape(value[1:])}</f></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return _zip([
        ("[Content_Types].xml", XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'), False),
        ("_rels/.rels", XML + (
            f'<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" '
            f'Type="{OFFICE_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'), False),
        ("xl/workbook.xml", XML + (
            f'<workbook xmlns="{main}" xmlns:r="{OFFICE_REL}"><sheets>'
            f'<sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'), False),
        ("xl/_rels/workbook.xml.rels", XML + (
            f'<Relationships xmlns="{RELS_NS}"><Relationship Id="rId1" '
            f'Type="{OFFICE_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'), False),
        ("xl/worksheets/sheet1.xml", XML + (
            f'<worksheet xmlns="{main}"><sheetData>{"".join(xml_rows)}</sheetData></worksheet>'), False),
    ])


ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def _odt(title, paragraphs):
    """A minimal valid OpenDocument text: the mimetype member first and uncompressed."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = f'<text:h text:outline-level="1">{escape(title)}</text:h>' + "".join(
        f'<text:h text:outline-level="2">{escape(p[2:])}</text:h>' if p.startswith("# ")
        else f"<text:p>{escape(p)}</text:p>" for p in paragraphs
    )
    return _zip([
        ("mimetype", ODT_MIMETYPE, True),
        ("META-INF/manifest.xml", XML + (
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.2">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_MIMETYPE}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>"), False),
        ("content.xml", XML + (
            f'<office:document-content xmlns:office="{office}" xmlns:text="{text_ns}" '
            f'office:version="1.2"><office:body><office:text>{body}</office:text></office:body>'
            "</office:document-content>"), False),
    ])


SURVEY_QUESTIONS = [
    "Ik weet waar ons collectief voor staat.",
    "Ik heb er zelf voordeel van dat ik lid ben.",
    "Ik voel me welkom bij activiteiten en vergaderingen.",
    "Ik heb invloed op belangrijke besluiten.",
    "Ik wil (meer) tijd steken in het collectief.",
    "Ik word goed op de hoogte gehouden.",
]

GENERATORS = {
    "survey_docx": lambda: _docx("Vragenlijst ledenpeiling", [
        "Deze vragenlijst duurt ongeveer vijf minuten. Er zijn geen goede of foute antwoorden.",
        "# Stellingen (1 = helemaal oneens, 5 = helemaal eens)",
        *[f"{n}. {q}  1  2  3  4  5" for n, q in enumerate(SURVEY_QUESTIONS, start=1)],
        "# Open vraag",
        "Wat zou ons collectief volgend jaar anders moeten doen?",
        "Dank je wel voor het invullen!",
    ]),
    "survey_xlsx": lambda: _xlsx("Antwoorden", [
        ["Stelling", "Aantal antwoorden", "Som van de scores", "Gemiddelde"],
        *[[q, 0, 0, f"=IF(B{n}=0,\"\",C{n}/B{n})"] for n, q in enumerate(SURVEY_QUESTIONS, start=2)],
    ]),
    "budget_xlsx": lambda: _xlsx("Meerjarenbegroting", [
        ["Post", "Jaar 1", "Jaar 2", "Jaar 3"],
        ["Contributie", 12000, 12500, 13000],
        ["Verkoop en diensten", 8000, 9000, 10000],
        ["Subsidies en fondsen", 5000, 2500, 0],
        ["Totaal inkomsten", "=SUM(B2:B4)", "=SUM(C2:C4)", "=SUM(D2:D4)"],
        ["Huur en energie", 6000, 6200, 6400],
        ["Verzekeringen en administratie", 3500, 3600, 3700],
        ["Activiteiten", 9000, 9500, 10000],
        ["Totaal uitgaven", "=SUM(B6:B8)", "=SUM(C6:C8)", "=SUM(D6:D8)"],
        ["Saldo", "=B5-B9", "=C5-C9", "=D5-D9"],
        ["Gewenste reserve (een half jaar uitgaven)", "=B9/2", "=C9/2", "=D9/2"],
    ]),
    "succession_odt": lambda: _odt("Opvolgingsmatrix", [
        "Vul per sleuteltaak in wie het nu doet, wie het kan overnemen en wat daarvoor nodig is.",
        "# Voorzitter",
        "Nu: ... | Kan overnemen: ... | Nodig: overdrachtsdossier, kennismaking met vaste contacten.",
        "# Penningmeester",
        "Nu: ... | Kan overnemen: ... | Nodig: toegang tot de bank, uitleg van de boekhouding.",
        "# Contact met de gemeente",
        "Nu: ... | Kan overnemen: ... | Nodig: lijst met contactpersonen en lopende afspraken.",
        "# Ledenadministratie",
        "Nu: ... | Kan overnemen: ... | Nodig: handleiding, afspraken over privacy.",
    ]),
    "rules_odt": lambda: _odt("Huishoudelijk reglement (voorbeeld)", [
        "# Artikel 1 - Ledenvergadering",
        "De ledenvergadering komt minstens twee keer per jaar bijeen. De uitnodiging gaat uiterlijk "
        "drie weken van tevoren naar alle leden.",
        "# Artikel 2 - Werkgroepen",
        "Het bestuur kan werkgroepen instellen. Elke werkgroep heeft een opdracht en een contactpersoon "
        "in het bestuur.",
        "# Artikel 3 - Onkosten",
        "Vrijwilligers krijgen gemaakte kosten vergoed na overleg met de penningmeester.",
    ]),
    "statutes_pdf": lambda: _pdf("Modelstatuten coöperatie U.A. (voorbeeld)", [
        "Dit is een voorbeeld voor burgercoöperaties. Laat statuten altijd door een notaris opstellen.",
        "# Artikel 1 - Naam en zetel",
        "De coöperatie draagt de naam ... en is gevestigd in de gemeente ...",
        "# Artikel 2 - Doel",
        "De coöperatie heeft ten doel in de stoffelijke behoeften van haar leden te voorzien door ...",
        "# Artikel 3 - Lidmaatschap",
        "Lid kunnen zijn natuurlijke personen en rechtspersonen die het doel van de coöperatie "
        "onderschrijven. Het bestuur beslist over toelating; tegen een weigering staat beroep open "
        "bij de algemene ledenvergadering.",
        "# Artikel 4 - Uitsluiting van aansprakelijkheid",
        "Iedere aansprakelijkheid van leden en oud-leden voor een tekort van de coöperatie is "
        "uitgesloten.",
        "# Artikel 5 - Bestuur",
        "Het bestuur bestaat uit ten minste drie leden, benoemd door de algemene ledenvergadering "
        "voor een termijn van drie jaar. Een bestuurder kan twee keer worden herbenoemd.",
    ]),
    "meeting_pdf": lambda: _pdf("Checklist algemene ledenvergadering", [
        "# Zes weken vooraf",
        "- Datum en zaal vastleggen.  - Agenda opstellen met het bestuur.",
        "# Drie weken vooraf",
        "- Uitnodiging met agenda, jaarverslag en begroting versturen.  - Volmachtformulier meesturen.",
        "# Op de avond",
        "- Presentielijst.  - Stemmen tellen.  - Besluiten hardop samenvatten.",
        "# Binnen twee weken",
        "- Notulen en besluitenlijst naar alle leden.",
    ]),
    "cooperation_docx": lambda: _docx("Samenwerkingsovereenkomst (model, concept)", [
        "# Partijen",
        "Collectief A, gevestigd te ..., en Collectief B, gevestigd te ...",
        "# Doel van de samenwerking",
        "Partijen werken samen om ...",
        "# Kosten",
        "De kosten worden verdeeld naar rato van het aantal leden van elke partij.",
        "# Beëindiging",
        "Elke partij kan de samenwerking met een opzegtermijn van zes maanden beëindigen.",
    ]),
}


def seed_knowledge(rng, editor, now=None):
    """The demo items, published ones with published_at; returns counts for the seed summary."""
    now = now or utcnow()
    items, attachments = 0, 0
    for index, spec in enumerate(ITEMS):
        published = spec["days"] is not None
        when = now - timedelta(days=spec["days"] if published else rng.randint(3, 20),
                               hours=rng.randint(0, 10))
        item = KnowledgeItem(
            slug=slugify(spec["title"], fallback=f"kennis-{index}"),
            kind=spec["kind"], title=spec["title"], summary=spec["summary"],
            body_source=spec["body"], body_html=str(render_body(spec["body"])),
            author_id=editor.id, updated_by_id=editor.id, source_name=spec["source"],
            status=STATUS_PUBLISHED if published else STATUS_DRAFT,
            published_at=when if published else None,
            created_at=when - timedelta(days=2), updated_at=when,
        )
        item.set_facet(FACET_THEME, spec["themes"])
        item.set_facet(FACET_SECTOR, spec["sectors"])
        item.set_facet(FACET_DIMENSION, spec["dimensions"])
        db.session.add(item)
        for filename, generator in spec.get("attachments", []):
            stored = store_bytes(GENERATORS[generator](), filename)
            item.attachments.append(KnowledgeAttachment(
                filename=stored.filename, stored_name=stored.stored_name, file_type=stored.file_type,
                size=stored.size, uploaded_by_id=editor.id, created_at=when,
            ))
            attachments += 1
        items += 1
    db.session.flush()
    return {"knowledge items": items, "attachments": attachments}
