"""Russian labels of model values, in one place so that they can be reviewed together.

Each mapping goes from the model value to the label a user sees and types; readers accept
the labels back case-insensitively.
"""

from __future__ import annotations

from .model import Aggregation, ExecutorKind, IndicatorKind, Recurrence

RECURRENCE = {
    Recurrence.ONCE: "однократно",
    Recurrence.WEEKLY: "еженедельно",
    Recurrence.MONTHLY: "ежемесячно",
    Recurrence.BIMONTHLY: "раз в два месяца",
    Recurrence.QUARTERLY: "ежеквартально",
    Recurrence.TERMLY: "по итогам четверти",
    Recurrence.SEMIANNUAL: "раз в полугодие",
    Recurrence.YEARLY: "ежегодно",
    Recurrence.PERIOD: "весь период",
    Recurrence.HOLIDAYS: "каникулярный период",
    Recurrence.AS_NEEDED: "по мере необходимости",
    Recurrence.BY_SCHEDULE: "по отдельному плану",
}
NOT_UNDERSTOOD = "не распознан"

EXECUTOR_KIND = {
    ExecutorKind.DISTRICT: "орган управления образованием",
    ExecutorKind.SCHOOL: "образовательная организация",
    ExecutorKind.PARTNER: "партнёр",
}

INDICATOR_KIND = {
    IndicatorKind.COUNT: "количество",
    IndicatorKind.PERCENT: "процент",
    IndicatorKind.YESNO: "да/нет",
}

AGGREGATION = {
    Aggregation.SUM: "сумма",
    Aggregation.WEIGHTED_MEAN: "среднее, взвешенное по числу обучающихся",
    Aggregation.SHARE_YES: "доля ответивших «да»",
}

YES, NO = "да", "нет"


def parse_label(mapping: dict, label: object, default=None):
    """The model value for a label (or for the value itself); ``default`` when empty."""
    if label is None or str(label).strip() == "":
        return default
    key = str(label).strip().lower().replace("ё", "е")
    for value, text in mapping.items():
        if key in (text.lower().replace("ё", "е"), str(value.value)):
            return value
    raise ValueError(label)
