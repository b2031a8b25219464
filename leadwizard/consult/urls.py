"""The consultant's admin URLs, below /admin/leadwizard/consult/, in the namespace ``leadwizard_consult``."""

from django.urls import path

from .views import AddNoteView, HandOverView, QueueView, ShortlistView

app_name = "leadwizard_consult"

urlpatterns = [
    path("", QueueView.as_view(), name="queue"),
    path("leads/<int:pk>/shortlist/", ShortlistView.as_view(), name="shortlist"),
    path("leads/<int:pk>/notes/", AddNoteView.as_view(), name="add_note"),
    path("leads/<int:pk>/handover/", HandOverView.as_view(), name="hand_over"),
]
