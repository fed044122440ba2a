"""What an error report (the email to ADMINS) may contain: never what a person typed."""

from django.views.debug import SafeExceptionReporterFilter


class NoPostDataFilter(SafeExceptionReporterFilter):
    """Every posted value is hidden (feedback, concerns, notes and passwords are all posted), and
    so are the local variables of the failing frames, which may hold them too."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [("(hidden)", self.cleansed_substitute)]
