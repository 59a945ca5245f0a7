from django.urls import path

app_name = "participants"

urlpatterns = [
]
