from django.urls import path

from tandem.journals import views

app_name = "journals"
urlpatterns = [
    path("relationships/<int:relationship_id>/journal/", views.journal_list, name="list"),
    path("relationships/<int:relationship_id>/journal/new/", views.journal_create, name="create"),
    path(
        "relationships/<int:relationship_id>/journal/<int:entry_id>/share/",
        views.journal_share,
        name="share",
    ),
    path(
        "relationships/<int:relationship_id>/journal/<int:entry_id>/delete/",
        views.journal_delete,
        name="delete",
    ),
    path("me/journal/export/", views.journal_export, name="export"),
]
