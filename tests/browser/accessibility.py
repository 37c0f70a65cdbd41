"""axe-core in the browser tests (axe-playwright-python bundles axe, so nothing is fetched), and the
contrast arithmetic of WCAG 2.1 for checks axe cannot make (a hover state, a colour we choose)."""
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")  # the rules of WCAG 2.1 levels A and AA
SITE_CSS = Path(__file__).resolve().parents[2] / "app" / "static" / "css" / "site.css"
_AXE_SCRIPT = Axe().axe_script

_RUN = """([context, options]) => axe.run(context || document, options)"""


def axe_violations(page, tags=None, exclude=()):
    """axe's findings on the page as it is now: [(rule, impact, [(target, summary), …up to 3])].

    tags: only the rules with these tags (WCAG_21_AA), or every rule axe has; exclude: selectors of
    elements to leave out (say at the call why each one is a false positive)."""
    if not page.evaluate("typeof window.axe === 'object'"):  # once per document, not per run
        page.evaluate(_AXE_SCRIPT)
    options = {"resultTypes": ["violations"]}
    if tags:
        options["runOnly"] = {"type": "tag", "values": list(tags)}
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    results = page.evaluate(_RUN, [context, options])
    return [(v["id"], v["impact"], [(n["target"], n.get("failureSummary")) for n in v["nodes"]][:3])
            for v in results["violations"]]


def no_axe_violations(page, what, tags=None, exclude=()):
    problems = axe_violations(page, tags, exclude)
    assert problems == [], f"axe on {what}: {problems}"


# -- contrast (WCAG 2.1, "relative luminance" and "contrast ratio") ------------------------------

def parse_colour(text):
    """'rgb(31, 111, 92)', 'rgba(…)' or '#1f6f5c' → (r, g, b, alpha)."""
    text = text.strip()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), 1.0
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)]
    return numbers[0], numbers[1], numbers[2], numbers[3] if len(numbers) > 3 else 1.0


def _luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground, background):
    """The contrast ratio of two opaque colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The colour of an element's text, and the backgrounds behind it from the element up to the first
# opaque one (a translucent card footer lies over the card, which lies over the page).
COLOURS_OF = """el => {
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour === 'rgba(0, 0, 0, 0)' || colour === 'transparent') { continue; }
    layers.push(colour);
    if (!colour.startsWith('rgba')) { break; }
  }
  return {color: getComputedStyle(el).color, layers: layers};
}"""


def _over(top, bottom):
    """Colour `top` (r, g, b, alpha) laid over the opaque colour `bottom`."""
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3])) + (1.0,)


def text_contrast(locator):
    """The contrast ratio of an element's text on what is behind it."""
    colours = locator.evaluate(COLOURS_OF)
    background = (255, 255, 255, 1.0)  # the canvas, under everything
    for layer in reversed(colours["layers"]):
        background = _over(parse_colour(layer), background)
    foreground = _over(parse_colour(colours["color"]), background)
    return contrast(foreground, background)


def site_colour(variable):
    """A colour variable as site.css defines it (e.g. "--ck-green"), as (r, g, b)."""
    match = re.search(re.escape(variable) + r":\s*(#[0-9a-fA-F]{6})\b", SITE_CSS.read_text(encoding="utf-8"))
    assert match, f"site.css defines {variable}"
    return parse_colour(match.group(1))[:3]
