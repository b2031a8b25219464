"""Sample leads for the demo's consultant screens: a consultant and leads in different states.

Each lead answers the demo questionnaire as ``demo_answers.toml`` does and is
matched against the demo vendors exactly as the wizard matches, so the lead
page, the shortlist form and the reports show what a real lead would. Nothing
is sent: each lead is saved by ``create_lead`` like a reader's, its deliveries are
dropped before they are committed, and the addresses are example.com.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from leadwizard.catalogue import localized, source_vendors
from leadwizard.deliveries.outcomes import shortlist_accepted
from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.leads import create_lead
from leadwizard.matching import answers_by_role, match_vendors, option_orders
from leadwizard.models import Lead, LeadNote
from leadwizard.shortlists import Pick, new_shortlist, shortlist_size

from .datafiles import DATA_DIR, demo_answers, read_toml


def demo_lead_answers(definition):
    """The demo reader's answers, typed as the wizard stores them (numbers as numbers)."""
    answers = {}
    for step in demo_answers():
        answers.update(step)
    for question in definition.questions:
        if question.kind == "number" and question.key in answers:
            answers[question.key] = int(answers[question.key])
    return answers


def load_consultant(data):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=data["username"],
        defaults={"first_name": data["first_name"], "last_name": data["last_name"], "email": data["email"]},
    )
    if created:
        # No password in the repository: `manage.py changepassword beraterin` sets one.
        user.set_unusable_password()
        user.save()
    group = Group.objects.filter(name=MARKETING_GROUP_NAME).first()
    if group:
        user.groups.add(group)
    return user


def load_leads(questionnaire, locales, log=print, data_dir=DATA_DIR):
    """Create the sample leads that are missing; returns the consultant."""
    data = read_toml(data_dir / "leads.toml")
    consultant = load_consultant(data["consultant"])
    vendors = [vendor.to_profile() for vendor in source_vendors(questionnaire)]
    for row in data["leads"]:
        if Lead.objects.filter(email=row["email"]).exists():
            continue
        shown = localized(questionnaire, locales[row["locale"]])
        definition = shown.definition
        answers = demo_lead_answers(definition)
        matches = match_vendors(
            answers_by_role(definition, answers), vendors, option_orders=option_orders(definition)
        )
        # Saved the way every lead is saved, then dated back and put in its state.
        lead, _created = create_lead(
            questionnaire=shown,
            answers=answers,
            contact={key: row.get(key, "") for key in ("name", "company", "email", "message")},
            matches=matches,
            locale=row["locale"],
        )
        # Nothing goes to the sample addresses: their deliveries go before load_demo's transaction commits.
        lead.deliveries.all().delete()
        created_at = timezone.now() - timedelta(hours=row["hours_ago"])
        Lead.objects.filter(pk=lead.pk).update(
            created_at=created_at,
            consent_given_at=created_at,
            status=Lead.Status.IN_PROGRESS if row["state"] == "in_progress" else Lead.Status.NEW,
            assignee=consultant if row["state"] != "new" else None,
        )
        lead.refresh_from_db()
        if row.get("note"):
            LeadNote.objects.create(
                lead=lead, author=consultant, author_name=consultant.get_full_name(), text=row["note"]
            )
        if row["state"] == "shortlist_sent":
            picks = [
                Pick(vendor_id=match["vendor_id"], position=place)
                for place, match in enumerate(lead.matches[: shortlist_size()], start=1)
            ]
            shortlist = new_shortlist(lead, consultant, picks, row.get("shortlist_message", ""))
            shortlist.save()
            shortlist_accepted(shortlist, lead)
        log(f"Lead {lead.contact_label} ({row['state']})")
    return consultant
