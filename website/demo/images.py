"""Abstract hero illustrations drawn with Pillow, so the demo needs no downloads."""

import colorsys
import io
import math
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1600, 900


def _colour(hue, saturation, lightness):
    r, g, b = colorsys.hls_to_rgb((hue % 360) / 360, lightness, saturation)
    return int(r * 255), int(g * 255), int(b * 255)


def draw_hero(hue: int, motif: str, seed: str) -> bytes:
    """Return PNG bytes of a 1600×900 abstract illustration; the same arguments give the same image."""
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    image = Image.new("RGB", (WIDTH, HEIGHT), _colour(hue, 0.45, 0.92))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        draw.line([(0, y), (WIDTH, y)], fill=_colour(hue, 0.5, 0.93 - 0.18 * y / HEIGHT))

    if motif == "bars":
        count = 9
        for i in range(count):
            height = int(HEIGHT * (0.15 + 0.07 * i + rng.uniform(-0.03, 0.03)))
            x = 120 + i * 150
            draw.rounded_rectangle(
                [x, HEIGHT - 80 - height, x + 100, HEIGHT - 80],
                radius=18,
                fill=_colour(hue + i * 4, 0.6, 0.35 + 0.03 * i),
            )
    elif motif == "circles":
        for _ in range(14):
            r = rng.randint(40, 220)
            x, y = rng.randint(0, WIDTH), rng.randint(0, HEIGHT)
            draw.ellipse(
                [x - r, y - r, x + r, y + r],
                fill=_colour(hue + rng.randint(-30, 30), 0.55, rng.uniform(0.35, 0.7)),
            )
    elif motif == "waves":
        for band in range(6):
            points = []
            offset = HEIGHT * (0.25 + band * 0.12)
            for x in range(0, WIDTH + 20, 20):
                points.append((x, offset + 60 * math.sin(x / 180 + band)))
            draw.line(points, fill=_colour(hue + band * 10, 0.6, 0.3 + band * 0.07), width=28)
    elif motif == "grid":
        for col in range(12):
            for row in range(7):
                if rng.random() < 0.55:
                    x, y = 80 + col * 125, 60 + row * 120
                    draw.rectangle(
                        [x, y, x + 95, y + 90],
                        fill=_colour(hue + rng.randint(-20, 20), 0.5, rng.uniform(0.35, 0.75)),
                    )
    else:  # nodes
        nodes = [(rng.randint(100, WIDTH - 100), rng.randint(100, HEIGHT - 100)) for _ in range(16)]
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 : i + 3]:
                draw.line([a, b], fill=_colour(hue, 0.4, 0.45), width=6)
        for x, y in nodes:
            draw.ellipse([x - 34, y - 34, x + 34, y + 34], fill=_colour(hue + 20, 0.65, 0.38))

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def draw_portrait(hue: int, initials: str) -> bytes:
    """A square placeholder portrait: a coloured disc with the author's initials as shapes."""
    size = 400
    image = Image.new("RGB", (size, size), _colour(hue, 0.35, 0.9))
    draw = ImageDraw.Draw(image)
    draw.ellipse([40, 40, size - 40, size - 40], fill=_colour(hue, 0.55, 0.45))
    draw.ellipse([140, 90, 260, 210], fill=_colour(hue, 0.3, 0.85))
    draw.pieslice([90, 220, 310, 440], 180, 360, fill=_colour(hue, 0.3, 0.85))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def draw_logo(hue: int, shape: str) -> bytes:
    """A 256×256 placeholder logo: one coloured shape on a light ground."""
    size = 256
    image = Image.new("RGB", (size, size), _colour(hue, 0.3, 0.95))
    draw = ImageDraw.Draw(image)
    fill = _colour(hue, 0.65, 0.4)
    centre, radius = size / 2, size * 0.34
    if shape == "square":
        draw.rounded_rectangle(
            [centre - radius, centre - radius, centre + radius, centre + radius], radius=24, fill=fill
        )
    elif shape == "triangle":
        draw.polygon(
            [
                (centre, centre - radius),
                (centre + radius, centre + radius * 0.8),
                (centre - radius, centre + radius * 0.8),
            ],
            fill=fill,
        )
    elif shape == "diamond":
        draw.polygon(
            [
                (centre, centre - radius),
                (centre + radius, centre),
                (centre, centre + radius),
                (centre - radius, centre),
            ],
            fill=fill,
        )
    elif shape == "hexagon":
        points = [
            (centre + radius * math.cos(math.pi / 3 * i), centre + radius * math.sin(math.pi / 3 * i))
            for i in range(6)
        ]
        draw.polygon(points, fill=fill)
    else:
        draw.ellipse([centre - radius, centre - radius, centre + radius, centre + radius], fill=fill)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
