from django.urls import path

from tandem.people import views

app_name = "people"

urlpatterns = [
    path("", views.people_list, name="list"),
    path("export/", views.people_export, name="export"),
    path("import/", views.people_import, name="import"),
    path("import/template.csv", views.people_import_template, name="import_template"),
    path("import/<int:import_id>/commit/", views.people_import_commit, name="import_commit"),
    path("me/", views.profile, name="profile"),
    path("me/developer/", views.developer, name="developer"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("skills/", views.skills, name="skills"),
    path("skills/<int:skill_id>/rename/", views.skill_rename, name="skill_rename"),
    path("skills/<int:skill_id>/delete/", views.skill_delete, name="skill_delete"),
]
