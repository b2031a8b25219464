"""The questionnaires of wizard blocks, kept by each process for ``LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS``.

Every wizard step and every page with the wizard loaded its questionnaire (a
query, and the ORM building it): a tenth of a step's time. A kept questionnaire
is shared by the requests of the process; nothing the wizard does changes it
(``parsed_definition`` only adds the parsed definition, which belongs to it).
Saving or deleting a questionnaire in this process forgets every kept one at
once; other processes read it again when their copy is older than the setting.
"""

import copy
import time

from ..conf import app_settings
from .kept import KeptForAWhile

# Questionnaires are small and a site has few of them.
_kept = KeptForAWhile(max_entries=1_000)


def load(model, ids):
    """The questionnaires of ``ids`` in order, None where there is none, as ``ChooserBlock.bulk_to_python``.

    A questionnaire that appears twice is a copy the second time, as Wagtail's.
    """
    seconds = app_settings.QUESTIONNAIRE_LOCAL_SECONDS
    now = time.monotonic()
    found = _kept.fresh(ids, seconds, now) if seconds > 0 else {}
    missing = [pk for pk in ids if pk is not None and pk not in found]
    if missing:
        loaded = model.objects.in_bulk(missing)
        found.update(loaded)
        if seconds > 0:
            _kept.keep(loaded, seconds, now)
    result, seen = [], set()
    for pk in ids:
        questionnaire = found.get(pk)
        if questionnaire is not None and pk in seen:
            questionnaire = copy.copy(questionnaire)
        result.append(questionnaire)
        seen.add(pk)
    return result


#: Drop every kept questionnaire: connected to saving and deleting one or a vendor (``LeadWizardConfig.ready``).
forget_all = _kept.forget_all
