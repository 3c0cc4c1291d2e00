"""Demo step: grade the whole demo city under the rule set in force."""

from shian.core.demo import DemoContext

from .services import grades_recompute


def generate(ctx: DemoContext) -> None:
    counts = grades_recompute(trigger="demo")
    ctx.progress("grades", counts["graded"], counts["graded"])
