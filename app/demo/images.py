"""Demo posts with images: pictures drawn here with Pillow (a roof with solar panels, a chart, a
floor plan), uploaded and posted through the same services as a member's, so they are re-encoded,
stored under random names and served only to forum readers."""
import io
from datetime import timedelta


from app import post_images
from app.extensions import db
from app.forum.services import post_reply
from app.models.forum import Thread


def _font(size):
    from PIL import ImageFont  # Pillow only when seeding (tests/unit/test_memory_imports.py)

    return ImageFont.load_default(size=size)


def _solar_roof():
    """A village hall with solar panels on its roof, under a blue sky (a JPEG, as from a phone)."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1600, 1000), (150, 200, 240))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 780, 1600, 1000), fill=(90, 150, 70))  # grass
    draw.rectangle((300, 520, 1300, 860), fill=(190, 120, 90))  # walls
    draw.polygon([(220, 540), (800, 180), (1380, 540)], fill=(110, 60, 50))  # roof
    for row in range(4):
        for column in range(7):
            left = 430 + column * 95 - row * 40
            top = 440 - row * 62
            draw.polygon([(left, top), (left + 85, top), (left + 70, top - 52), (left - 10, top - 52)],
                         fill=(30, 45, 90), outline=(200, 210, 230))
    draw.rectangle((720, 680, 880, 860), fill=(70, 50, 40))  # door
    draw.ellipse((1380, 60, 1500, 180), fill=(255, 220, 90))  # sun
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88)
    return out.getvalue()


def _chart():
    """Electricity used per hour on a winter day in a neighbourhood (a PNG, as a screenshot)."""
    from PIL import Image, ImageDraw

    use = [38, 34, 31, 30, 31, 36, 52, 71, 66, 54, 49, 47, 46, 45, 48, 55, 72, 96, 104, 98, 83, 67,
           54, 44]
    picture = Image.new("RGB", (1200, 700), "white")
    draw = ImageDraw.Draw(picture)
    draw.text((60, 30), "Stroomverbruik in de wijk per uur (kW), 14 januari", fill=(20, 20, 20),
              font=_font(32))
    draw.line((80, 620, 1160, 620), fill=(60, 60, 60), width=2)
    draw.line((80, 100, 80, 620), fill=(60, 60, 60), width=2)
    for hour, value in enumerate(use):
        left = 95 + hour * 44
        colour = (200, 70, 50) if value > 90 else (40, 120, 90)
        draw.rectangle((left, 620 - value * 5, left + 32, 620), fill=colour)
        if hour % 3 == 0:
            draw.text((left, 632), f"{hour:02d}u", fill=(60, 60, 60), font=_font(20))
    draw.line((80, 620 - 90 * 5, 1160, 620 - 90 * 5), fill=(200, 70, 50), width=2)
    draw.text((900, 620 - 90 * 5 - 34), "grens aansluiting", fill=(200, 70, 50), font=_font(22))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _garden_plan():
    """The plan of a market garden: beds, a greenhouse and the path (a PNG)."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1000, 700), (235, 225, 200))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 40, 960, 660), outline=(90, 70, 50), width=6)
    draw.rectangle((470, 40, 530, 660), fill=(200, 190, 160))  # path
    for row in range(5):
        for side, left in enumerate((80, 570)):
            green = (60 + 20 * ((row + side) % 3), 140, 60)
            draw.rectangle((left, 80 + row * 110, left + 350, 160 + row * 110), fill=green)
    draw.rectangle((80, 600, 430, 645), fill=(200, 230, 240), outline=(120, 150, 170), width=3)
    draw.text((90, 607), "kas", fill=(40, 60, 70), font=_font(26))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


# (thread title, writer's e-mail address, text with {0}, {1} … for the images, images with alts)
POSTS = [
    ("Netcongestie: ons project staat stil", "lid@example.org",
     "Zo ziet het verbruik in onze wijk eruit op een koude dag. Tussen vijf en negen uur 's avonds "
     "gaan we over de grens van de aansluiting; daar zou een buurtbatterij het verschil maken.\n\n"
     "{0}",
     [(_chart, "Staafdiagram van het stroomverbruik per uur: tussen 17 en 21 uur boven de grens "
               "van de aansluiting")]),
    ("Ervaringen met een energiecafé in de wijk", "lid2@example.org",
     "Ons eerste energiecafé was in het dorpshuis, met de panelen van de coöperatie op het dak: "
     "dat hielp om het gesprek te beginnen.\n\n{0}",
     [(_solar_roof, "Het dorpshuis met zonnepanelen op het dak")]),
    ("Samenwerken met boeren in de buurt", "lid@example.org",
     "Hier de indeling die we met de akkerbouwer hebben afgesproken: tien bedden, een pad in het "
     "midden en de kas aan de kant van de weg.\n\n{0}",
     [(_garden_plan, "Plattegrond van de tuinderij: tien bedden aan weerszijden van een pad, de "
                     "kas linksonder")]),
]


def seed_post_images(people, now):
    """Replies with images in a few demo threads; `people` maps e-mail addresses to accounts.
    Returns the number of posts made."""
    made = 0
    for title, email, text, pictures in POSTS:
        thread = db.session.execute(db.select(Thread).where(Thread.title == title)).scalar_one_or_none()
        writer = people.get(email)
        if thread is None or writer is None:
            continue
        moment = min(now - timedelta(minutes=5), thread.last_post_at + timedelta(hours=3))
        markdown = []
        for draw, alt in pictures:
            image = post_images.store_bytes(writer, draw(), now=moment)
            markdown.append(post_images.markdown_for(image, alt))
        post_reply(writer, thread, text.format(*markdown), now=moment, enforce_limits=False)
        made += 1
    return made
