"""Reads the demo content from the TOML files in ``website/demo/data/``.

The data files are what people edit; this module parses them (with the standard
library's ``tomllib``), checks that everything the loader needs is there and that
cross-references resolve, and hands the loader plain dicts and lists. A broken
file raises ``DemoDataError`` with the file's name and what is wrong in it, before
anything is written to the database.

Layout of ``data/``:

- ``topics.toml``, ``authors.toml``: the snippets, with German and English texts.
- ``pages.toml``: home page, privacy page and the magazine (article index), each
  with a ``de`` and an ``en`` section, and the order of the articles.
- ``articles/<slug>.toml``: one article, German (``[de]``) and optionally English
  (``[en]``).
- ``questionnaire.toml``: the CRM-Auswahl questionnaire, every text as ``<name>.de``
  and ``<name>.en`` next to each other, so both languages share one structure.
- ``vendors.toml``: the fictitious vendor catalogue.
- ``demo_answers.toml``: one reader's answers to the questionnaire (browser tests,
  screenshots, benchmarks; not used by ``load_demo``).

No Django imports here: the benchmarks read the demo answers without setting up Django.
"""

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("de", "en")


class DemoDataError(ValueError):
    """A demo data file is missing, does not parse, or lacks something the loader needs."""


@dataclass(frozen=True)
class DemoContent:
    """Everything ``load_demo`` builds, as read from the data files."""

    topics: list  # {"slug", "de", "en"}
    authors: list  # {"key", "name", "role_de", "role_en"}
    home: dict  # {"de" / "en": {"title", "intro", "body": [(block type, value), ...]}}
    privacy: dict  # {"slug", "de" / "en": {"title", "body"}}
    index: dict  # {"slug", "de" / "en": {"title", "intro"}}
    articles: list  # in page-tree order, see _article()
    questionnaire: dict  # {"de" / "en": texts and steps in that language}
    vendors: list  # {"name", "description_de", "description_en", "logo", other Vendor fields...}


def read_toml(path: Path) -> dict:
    """The parsed file; a missing or malformed file raises ``DemoDataError`` naming it."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise DemoDataError(f"{_name(path)}: file is missing") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DemoDataError(f"{_name(path)}: not valid TOML: {exc}") from exc


def article_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The article files, sorted by name (their slugs)."""
    return sorted((data_dir / "articles").glob("*.toml"))


def load_content(data_dir: Path = DATA_DIR) -> DemoContent:
    """Read and check every data file that ``load_demo`` uses."""
    pages_path = data_dir / "pages.toml"
    pages = read_toml(pages_path)
    topics = _topics(data_dir / "topics.toml")
    authors = _authors(data_dir / "authors.toml")
    articles = _articles(data_dir, pages_path, _need(pages, "magazine", pages_path))
    _check_references(articles, {t["slug"] for t in topics}, {a["key"] for a in authors})
    return DemoContent(
        topics=topics,
        authors=authors,
        home=_home(_need(pages, "home", pages_path), f"{_name(pages_path)} [home]"),
        privacy=_privacy(_need(pages, "privacy", pages_path), f"{_name(pages_path)} [privacy]"),
        index=_index(_need(pages, "magazine", pages_path), f"{_name(pages_path)} [magazine]"),
        articles=articles,
        questionnaire=_questionnaire(data_dir / "questionnaire.toml"),
        vendors=_vendors(data_dir / "vendors.toml"),
    )


def demo_answers(data_dir: Path = DATA_DIR) -> list[dict]:
    """One reader's answers to the demo questionnaire, one dict per step, as the browser sends them."""
    path = data_dir / "demo_answers.toml"
    return [dict(step) for step in _need(read_toml(path), "steps", path)]


# Snippets ------------------------------------------------------------------------


def _topics(path):
    topics = []
    for number, table in enumerate(_need(read_toml(path), "topics", path), start=1):
        where = f"{_name(path)} topic {number}"
        name = _pair(table, "name", where)
        topics.append({"slug": _need(table, "slug", where), "de": name["de"], "en": name["en"]})
    return topics


def _authors(path):
    authors = []
    for number, table in enumerate(_need(read_toml(path), "authors", path), start=1):
        where = f"{_name(path)} author {number}"
        role = _pair(table, "role", where)
        authors.append(
            {
                "key": _need(table, "key", where),
                "name": _need(table, "name", where),
                "role_de": role["de"],
                "role_en": role["en"],
            }
        )
    return authors


# Pages ---------------------------------------------------------------------------


def _home(table, where):
    home = _page_texts(table, where, ("title", "intro", "body"))
    for language in LANGUAGES:
        home[language]["body"] = _blocks(home[language]["body"], f"{where}.{language}.body")
    return home


def _privacy(table, where):
    return {"slug": _need(table, "slug", where), **_page_texts(table, where, ("title", "body"))}


def _index(table, where):
    return {"slug": _need(table, "slug", where), **_page_texts(table, where, ("title", "intro"))}


def _page_texts(table, where, names):
    """{"de": {name: ...}, "en": {name: ...}} from a page's [<page>.de] and [<page>.en] sections."""
    texts = {}
    for language in LANGUAGES:
        section = _need(table, language, where)
        texts[language] = {name: _need(section, name, f"{where}.{language}") for name in names}
    return texts


def _blocks(blocks, where):
    """StreamField blocks as (block type, value) pairs; ``value`` is a string or a table."""
    return [
        (_need(block, "type", f"{where} block {number}"), _need(block, "value", f"{where} block {number}"))
        for number, block in enumerate(blocks, start=1)
    ]


# Articles ------------------------------------------------------------------------

ARTICLE_TEXTS = ("title", "teaser", "lead_quote", "lead_quote_attribution", "hero_alt", "hero_caption")


def _articles(data_dir, pages_path, magazine):
    """The articles in the order ``pages.toml`` lists them (the order they are added to the tree)."""
    order = _need(magazine, "articles", f"{_name(pages_path)} [magazine]")
    files = {path.stem: path for path in article_files(data_dir)}
    for slug in order:
        if order.count(slug) > 1:
            raise DemoDataError(f"{_name(pages_path)}: article {slug!r} is listed twice in magazine.articles")
        if slug not in files:
            raise DemoDataError(
                f"{_name(pages_path)}: magazine.articles lists {slug!r}, "
                f"but there is no file articles/{slug}.toml"
            )
    for slug, path in files.items():
        if slug not in order:
            raise DemoDataError(
                f"{_name(path)}: the article is not listed in magazine.articles of pages.toml"
            )
    return [_article(files[slug]) for slug in order]


def _article(path):
    table = read_toml(path)
    where = _name(path)
    date = _need(table, "date", where)
    # A TOML date (date = 2026-10-02), not a string and not a date with a time.
    if type(date) is not datetime.date:
        raise DemoDataError(f"{where}: 'date' must be a TOML date such as 2026-10-02, not {date!r}")
    hero = _need(table, "hero", where)
    wizard_position = table.get("wizard_position")
    if wizard_position is not None and type(wizard_position) is not int:
        raise DemoDataError(f"{where}: 'wizard_position' must be a whole number")
    return {
        "slug": path.stem,
        "date": date,
        "author": _need(table, "author", where),
        "topics": list(_need(table, "topics", where)),
        "related": list(_need(table, "related", where)),
        "hero": {"hue": _need(hero, "hue", f"{where} hero"), "motif": _need(hero, "motif", f"{where} hero")},
        "wizard_position": wizard_position,
        "de": _article_text(_need(table, "de", where), f"{where} [de]"),
        # English is optional: without it the article stays German only.
        "en": _article_text(table["en"], f"{where} [en]") if "en" in table else None,
    }


def _article_text(table, where):
    return {
        **{name: _need(table, name, where) for name in ARTICLE_TEXTS},
        "body": _blocks(_need(table, "body", where), f"{where} body"),
    }


def _check_references(articles, topic_slugs, author_keys):
    """Authors, topics and linked articles must exist, or the loader would fail halfway."""
    slugs = {article["slug"] for article in articles}
    for article in articles:
        where = f"articles/{article['slug']}.toml"
        if article["author"] not in author_keys:
            raise DemoDataError(f"{where}: author {article['author']!r} is not a key in authors.toml")
        for slug in article["topics"]:
            if slug not in topic_slugs:
                raise DemoDataError(f"{where}: topic {slug!r} is not a slug in topics.toml")
        linked = list(article["related"])
        for language in LANGUAGES:
            if article[language]:
                linked += [value["slug"] for kind, value in article[language]["body"] if kind == "read_also"]
        for slug in linked:
            if slug not in slugs:
                raise DemoDataError(f"{where}: links to article {slug!r}, which has no file")


# The wizard ----------------------------------------------------------------------


# The order of the fields in a step's, question's and option's value. The loader stores
# these values as they come, so a fixed order keeps the stored JSON independent of the
# order in which the file happens to list them.
STEP_FIELDS = ("key", "title", "intro", "questions")
QUESTION_FIELDS = (
    "key",
    "label",
    "kind",
    "required",
    "role",
    "explanation_title",
    "explanation",
    "min_value",
    "max_value",
    "options",
)
OPTION_FIELDS = ("key", "label")


def _questionnaire(path):
    """The questionnaire in each language, from one file where every text has a ``de`` and an ``en``."""
    table = read_toml(path)
    steps = []
    for number, step in enumerate(_need(table, "steps", _name(path)), start=1):
        where = f"{_name(path)} step {number} ({step.get('key', '?')})"
        questions = []
        for question in _need(step, "questions", where):
            # Number and yes/no questions have no bounds or options in the file (TOML has no null).
            question = {"min_value": None, "max_value": None, "options": [], **question}
            question["options"] = [_ordered(option, OPTION_FIELDS) for option in question["options"]]
            questions.append(_ordered(question, QUESTION_FIELDS))
        steps.append(_ordered({**step, "questions": questions}, STEP_FIELDS))
    table["steps"] = steps
    return {language: _localised(table, language, _name(path), "") for language in LANGUAGES}


def _ordered(table, names):
    """``table`` with the keys in ``names`` first, in that order, then any others."""
    return {**{name: table[name] for name in names if name in table}, **table}


def _localised(value, language, file, where):
    """``value`` with every {"de": ..., "en": ...} table replaced by its text in ``language``."""
    if isinstance(value, dict):
        if value and set(value) <= set(LANGUAGES):
            if set(value) != set(LANGUAGES):
                raise DemoDataError(
                    f"{file}: {where} needs a text in each of {', '.join(LANGUAGES)}, has only {sorted(value)}"
                )
            return value[language]
        return {
            key: _localised(item, language, file, f"{where}.{key}" if where else key)
            for key, item in value.items()
        }
    if isinstance(value, list):
        # Numbered from 1 and with the key where there is one, as people count steps and questions.
        return [
            _localised(item, language, file, f"{where}[{number}{_key_of(item)}]")
            for number, item in enumerate(value, start=1)
        ]
    return value


def _key_of(item):
    return f" {item['key']}" if isinstance(item, dict) and isinstance(item.get("key"), str) else ""


def _vendors(path):
    """The vendors; every key but ``description`` and ``logo`` is a field of the Vendor model."""
    vendors = []
    for number, table in enumerate(_need(read_toml(path), "vendors", path), start=1):
        where = f"{_name(path)} vendor {number} ({table.get('name', '?')})"
        description = _pair(table, "description", where)
        logo = _need(table, "logo", where)
        vendor = {key: value for key, value in table.items() if key != "description"}
        vendor.update(
            name=_need(table, "name", where),
            logo={"hue": _need(logo, "hue", f"{where} logo"), "shape": _need(logo, "shape", f"{where} logo")},
            description_de=description["de"],
            description_en=description["en"],
            # TOML has no null: an upper limit left out means none.
            employees_max=table.get("employees_max"),
            users_max=table.get("users_max"),
        )
        vendors.append(vendor)
    return vendors


# Helpers -------------------------------------------------------------------------


def _name(path):
    """``path`` relative to the data folder, as people know the file."""
    path = Path(path)
    return str(path.relative_to(path.parent.parent)) if path.parent.name == "articles" else path.name


def _need(table, key, where):
    if isinstance(where, Path):
        where = _name(where)
    if not isinstance(table, dict) or key not in table:
        raise DemoDataError(f"{where}: {key!r} is missing")
    return table[key]


def _pair(table, key, where):
    """A text in both languages: ``key.de`` and ``key.en``."""
    value = _need(table, key, where)
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise DemoDataError(f"{where}: {key!r} needs a German and an English text ({key}.de, {key}.en)")
    return value
