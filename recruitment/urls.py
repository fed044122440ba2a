from django.urls import path

from . import orientation_views, views

# The personal link in an announcement or an invitation (its own credential), and the member's
# orientation.
urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("programs/<int:program_id>/orientation/", orientation_views.member_orientation, name="orientation"),
    path(
        "programs/<int:program_id>/orientation/<int:item_id>/done/",
        orientation_views.complete,
        name="orientation_done",
    ),
    path(
        "programs/<int:program_id>/orientation/<int:item_id>/file/",
        orientation_views.item_file,
        name="orientation_file",
    ),
]

# The chair's recruiting and orientation pages, in the one `committee` namespace
# (config/committee_urls.py).
committee_urlpatterns = [
    path("<int:program_id>/recruit/", views.recruit, name="recruit"),
    path("<int:program_id>/orientation/", orientation_views.items, name="orientation"),
    path("<int:program_id>/orientation/<int:item_id>/", orientation_views.item_edit, name="orientation_edit"),
    path(
        "<int:program_id>/orientation/<int:item_id>/delete/", orientation_views.item_delete, name="orientation_delete"
    ),
    path("<int:program_id>/orientation/<int:item_id>/move/", orientation_views.item_move, name="orientation_move"),
]
