from django.urls import path

from tandem.agreements import views

app_name = "agreements"
urlpatterns = [
    path(
        "relationships/<int:relationship_id>/agreement/",
        views.agreement_detail,
        name="detail",
    ),
    path(
        "relationships/<int:relationship_id>/agreement/sign/",
        views.agreement_sign,
        name="sign",
    ),
    path(
        "relationships/<int:relationship_id>/agreement/versions/<int:version>/",
        views.agreement_version,
        name="version",
    ),
    path(
        "programs/<int:program_id>/agreement-template/",
        views.agreement_template,
        name="template",
    ),
]
