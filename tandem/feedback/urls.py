from django.urls import path

from tandem.feedback import views

app_name = "feedback"

urlpatterns = [
    path("relationships/<int:relationship_id>/feedback/", views.feedback_list, name="list"),
    path("relationships/<int:relationship_id>/feedback/new/", views.feedback_give, name="give"),
]
