"""The `programs` URL namespace: programs' own pages plus the two composed here (the list and
the detail page, which show enrolment counts; see `program_pages`). config/urls.py mounts this
module at programs/."""

from django.urls import path

from tandem.participants import program_pages
from tandem.programs.urls import urlpatterns as program_urlpatterns

app_name = "programs"

urlpatterns = [
    path("", program_pages.program_list, name="list"),
    path("<int:program_id>/", program_pages.program_detail, name="detail"),
    *program_urlpatterns,
]
