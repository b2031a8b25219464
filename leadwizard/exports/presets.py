"""Export presets: a saved choice of columns (in order), language, CSV dialect and format.

A preset stores column *keys*, never headers: headers change with the language
and with the questionnaires' labels, keys do not. Applying a preset
(``select_columns``) keeps its order, skips a column that no longer exists
(a question removed from the questionnaire) without a word, and does not add a
column that appeared since: a preset for a newsletter tool must keep giving
that tool exactly the columns it was set up for.

Presets are shared by everyone who may export leads (the admin checks that);
changing or deleting one is for its owner, superusers and users with the
model's change or delete permission.
"""

from django.core.exceptions import PermissionDenied

CHANGE_PERMISSION = "leadwizard.change_exportpreset"
DELETE_PERMISSION = "leadwizard.delete_exportpreset"


def select_columns(all_columns, keys):
    """The columns of ``all_columns`` (``[(key, header), ...]``) named by ``keys``, in the order of ``keys``.

    Unknown keys are dropped, and a key given twice is used once (its first place).
    """
    headers = dict(all_columns)
    chosen, seen = [], set()
    for key in keys:
        if key in headers and key not in seen:
            seen.add(key)
            chosen.append((key, headers[key]))
    return chosen


def apply_preset(preset, all_columns):
    """The preset's columns among ``all_columns``, in the preset's order (see ``select_columns``)."""
    return select_columns(all_columns, preset.columns or [])


def can_change_preset(user, preset):
    """Whether ``user`` may overwrite ``preset``: its owner, a superuser or a holder of the change permission."""
    if not user.is_active:
        return False
    return user.is_superuser or preset.owner_id == user.pk or user.has_perm(CHANGE_PERMISSION)


def can_delete_preset(user, preset):
    """Whether ``user`` may delete ``preset``: its owner, a superuser or a holder of the delete permission."""
    if not user.is_active:
        return False
    return user.is_superuser or preset.owner_id == user.pk or user.has_perm(DELETE_PERMISSION)


def save_preset(user, name, columns, format="csv", dialect="excel_de", language="de"):
    """Save the choice as the preset ``name``: a new one owned by ``user``, or overwrite the one of that name.

    ``columns``: column keys in export order. Overwriting someone else's preset
    needs ``can_change_preset``, else ``PermissionDenied``. Returns the preset.
    """
    from ..models import ExportPreset  # here: ``leadwizard.exports`` is imported before the models are ready

    name = name.strip()
    if not name:
        raise ValueError("A preset needs a name.")
    keys = list(dict.fromkeys(str(key) for key in columns))
    values = {"columns": keys, "format": format, "dialect": dialect, "language": language}
    preset = ExportPreset.objects.filter(name__iexact=name).first()
    if preset is None:
        return ExportPreset.objects.create(name=name, owner=user, **values)
    if not can_change_preset(user, preset):
        raise PermissionDenied
    for field, value in values.items():
        setattr(preset, field, value)
    preset.save()
    return preset


def delete_preset(user, preset):
    """Delete ``preset`` if ``user`` may (``can_delete_preset``), else ``PermissionDenied``."""
    if not can_delete_preset(user, preset):
        raise PermissionDenied
    preset.delete()
