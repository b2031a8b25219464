"""The compatibility matrix: the plugins' tests at the oldest and the newest versions they support.

``nox`` runs both corners; ``nox -s "plugins(oldest)"`` one of them. Each corner
gets a fresh environment (made with uv, several times faster than pip) with its
pinned Python, Django, Wagtail and friends, the plugins installed from this
checkout, and the test tools; then the plugins' own tests run in the minimal
host, and the install tests build the wheel and follow the README on new
``wagtail start`` sites. CI runs both corners (.ci/run).

The corners skip the tests marked ``libreoffice_csv`` (LibreOffice opening the
CSV exports, five soffice start-ups of several seconds each): Python's csv module
writes those files, no library pinned here, and ``make test`` runs them on SQLite
and PostgreSQL. The XLSX round trip through LibreOffice stays, as the corner's
openpyxl writes that file.

The corners are what the package index offers for the ranges pyproject.toml
declares: Python 3.11 can only run Django 5.2 (Django 6 needs 3.12), and
wagtail-localize claims Wagtail 8 from 1.14.3. django-tasks is 0.12.0 in both, as
the test host's ``django_tasks_db`` 0.13 needs it on Django 5.2; the plugins
themselves also run on django-tasks 0.11.
"""

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = False

CORNERS = {
    "oldest": (
        "3.11",
        [
            "Django==5.2",
            "wagtail==8.0",
            "wagtail-localize==1.14.3",
            "django-tasks==0.12.0",
            "django-tasks-db==0.13.0",
            "openpyxl==3.0.10",
        ],
    ),
    "newest": (
        "3.13",
        [
            "Django==6.1.3",
            "wagtail==8.0.1",
            "wagtail-localize==1.14.5",
            "django-tasks==0.12.0",
            "django-tasks-db==0.13.0",
            "openpyxl==3.1.5",
        ],
    ),
}
# What the test host and the tests need besides the plugins' own dependencies; pip builds the
# wheel in the install tests.
TEST_TOOLS = [
    "pytest",
    "pytest-django",
    "factory-boy",
    "hypothesis",
    "beautifulsoup4",
    "standardwebhooks",
    "dj-database-url",
    "pip",
]


@nox.session
@nox.parametrize(
    ("python", "corner"), [(python, name) for name, (python, _pins) in CORNERS.items()], ids=list(CORNERS)
)
def plugins(session, corner):
    """The plugins' tests (minimal host) and the install tests, at one corner of the matrix."""
    _python, pins = CORNERS[corner]
    session.install(*pins, *TEST_TOOLS)
    session.install("--no-deps", "-e", ".")
    session.run(
        "python",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "--ds=tests.testapp.settings",
        "tests/articles",
        "tests/leadwizard",
        "tests/install",
        "-m",
        "not libreoffice_csv",
        *session.posargs,
        env={"DATABASE_URL": ""},
    )
