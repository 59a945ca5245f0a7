import factory

from tandem.feedback.models import Feedback, FeedbackDirection


class MentorFeedbackFactory(factory.django.DjangoModelFactory):
    """The mentor's feedback to the mentee (build real ones through the service)."""

    class Meta:
        model = Feedback

    author = factory.LazyAttribute(lambda feedback: feedback.relationship.mentor.user)
    direction = FeedbackDirection.MENTOR_TO_MENTEE
    strengths = "You framed the problem clearly in the review."
    to_develop = "Pausing before answering hard questions."
    suggestion = "Count to three before replying in the next review."


class MenteeFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    author = factory.LazyAttribute(lambda feedback: feedback.relationship.mentee.user)
    direction = FeedbackDirection.MENTEE_TO_MENTOR
    what_helped = "The mock interview last week."
    usefulness = 4
