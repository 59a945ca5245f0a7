from django.urls import path

from tandem.goals import views

app_name = "goals"

GOALS = "relationships/<int:relationship_id>/goals/"
GOAL = GOALS + "<int:goal_id>/"
MILESTONE = GOAL + "milestones/<int:milestone_id>/"

urlpatterns = [
    path(GOALS, views.goal_list, name="list"),
    path(GOALS + "new/", views.goal_create, name="create"),
    path(GOAL + "edit/", views.goal_update, name="update"),
    path(GOAL + "comments/", views.comment_create, name="comment_create"),
    path(GOAL + "milestones/", views.milestone_create, name="milestone_create"),
    path(MILESTONE + "edit/", views.milestone_update, name="milestone_update"),
    path(MILESTONE + "complete/", views.milestone_complete, name="milestone_complete"),
    path(MILESTONE + "reopen/", views.milestone_reopen, name="milestone_reopen"),
    path(MILESTONE + "delete/", views.milestone_delete, name="milestone_delete"),
    # accept, decline, achieve, drop, reopen
    path(GOAL + "<slug:action>/", views.goal_action, name="action"),
]
