from django.urls import path

from tandem.journeys import views

app_name = "journeys"

PAIR = "relationships/<int:relationship_id>/journey/"
EDITOR = "programs/<int:program_id>/journey/"
STAGE = EDITOR + "stages/<int:stage_id>/"
STEP = EDITOR + "steps/<int:step_id>/"

urlpatterns = [
    path(PAIR, views.relationship_journey, name="relationship"),
    path(PAIR + "steps/<int:step_id>/", views.step_toggle, name="step_toggle"),
    path(EDITOR, views.editor, name="editor"),
    path(EDITOR + "reset/", views.journey_reset, name="reset"),
    path(EDITOR + "customise/", views.journey_customise, name="customise"),
    path(EDITOR + "stages/", views.stage_create, name="stage_create"),
    path(STAGE, views.stage_update, name="stage_update"),
    path(STAGE + "delete/", views.stage_delete, name="stage_delete"),
    path(STAGE + "move/", views.stage_move, name="stage_move"),
    path(STAGE + "steps/", views.step_create, name="step_create"),
    path(STEP, views.step_update, name="step_update"),
    path(STEP + "delete/", views.step_delete, name="step_delete"),
    path(STEP + "move/", views.step_move, name="step_move"),
]
