"""How figures and runs are shown to people, in one place: Russian numbers, percents, dates and
the summary of a consolidation, used by the CLI, the macros, the report and the workbook.

Spreadsheet cells keep their numbers as numbers (the cell's format shows them); these
functions are for text: messages, the report's tables and the workbook's titles.
"""

from __future__ import annotations

from datetime import date, datetime

NONE = "—"  # a figure that does not exist (no school submitted, nothing applicable)


def figure(value) -> str:
    """A computed figure: a fraction with one decimal after a comma («52,3»), a count as it is."""
    if value is None:
        return NONE
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def exact(value) -> str:
    """A number as a person typed it or a rule states it: «12», «12,5», «0,25» (no rounding)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")


def percent(value) -> str:
    """A computed share: «52,3 %», or «—» when there is none."""
    return NONE if value is None else f"{figure(value)} %"


def day(value: date) -> str:
    """A date as ДД.ММ.ГГГГ."""
    return f"{value:%d.%m.%Y}"


def moment(value: datetime | None) -> str:
    """A time of day as ДД.ММ.ГГГГ ЧЧ:ММ (empty when unknown)."""
    return f"{value:%d.%m.%Y %H:%M}" if value else ""


def duplicate_line(d) -> str:
    """Which of a school's several files counted and which did not."""
    return f"учтён файл «{d.used}»; не учтены: " + ", ".join(f"«{n}»" for n in d.ignored)


def _school_labels(c):
    """A school code as people read it in a summary: «МБОУ Школа № 5 (S05)»."""
    names = {s.code: s.name for s in c.roadmap.schools}
    return lambda code: f"{names.get(code, code)} ({code})"


def duplicate_lines(c) -> list[str]:
    """The schools that sent one answer more than once (those whose files differ, or whose save
    dates disagree with the arrival order, are warnings instead, said once)."""
    label = _school_labels(c)
    return [f"Несколько файлов от {label(d.school)}: {duplicate_line(d)}"
            for d in c.duplicates if not d.differ and not d.clock]


def warnings(c) -> list[str]:
    """What the district specialist must see before any figure: schools that sent files with
    different answers, and files whose save dates disagree with the order they arrived in.
    Shown first by every summary (CLI, macro, workbook «Сводка», ODT report)."""
    label = _school_labels(c)
    lines = []
    for d in c.duplicates:
        if not d.differ and not d.clock:
            continue  # the same answers sent again: listed with the other files, no warning
        school = label(d.school)
        ignored = ", ".join(f"«{n}»" for n in d.ignored)
        text = (f"От {school} получено несколько файлов с разными сведениями: в свод включён файл «{d.used}», "
                f"полученный последним, не включены: {ignored}. Убедитесь, что учтён верный файл "
                "(один из них мог быть заполнен другой школой в чужом шаблоне)."
                if d.differ else f"От {school} получено несколько файлов с одинаковыми сведениями: "
                                 f"в свод включён файл «{d.used}», полученный последним.")
        if d.clock:
            text += (" По дате сохранения (часы компьютера школы) новее " + ", ".join(f"«{n}»" for n in d.clock)
                     + ": порядок получения и дата сохранения расходятся — выбран файл, полученный последним.")
        lines.append(text)
    return lines


def ignored_line(c) -> str:
    """The system files of the input folders that were not read (lock files, Thumbs.db…)."""
    if not c.ignored:
        return ""
    return "Пропущены служебные файлы: " + ", ".join(f"«{e.name}»" for e in c.ignored) + "."


def run_summary(c) -> str:
    """The summary of a consolidation, the same in the terminal and in LibreOffice."""
    submitted = sum(1 for s in c.schools if s.submitted)
    lines = [f"ВНИМАНИЕ! {line}" for line in warnings(c)]
    if lines:
        lines.append("")  # the warnings stand apart from the figures
    lines += [f"Свод по состоянию на {day(c.as_of)}.",
              f"Представили отчёт: {submitted} из {len(c.schools)}; выполнение мероприятий: {percent(c.completion_pct)}; "
              f"просрочено: {c.overdue}; записей: {len(c.records)}; замечаний к файлам: {len(c.findings)}; "
              f"не принято файлов: {len(c.rejected)}."]
    if c.missing:
        lines.append("Не представили отчёт: " + ", ".join(f"{s.name} ({s.code})" for s in c.missing))
    lines += duplicate_lines(c)
    if c.rejected:
        lines.append("Не приняты файлы:")
        lines += [f"• «{r.name}»: {r.rejected}" for r in c.rejected]
    if c.ignored:
        lines.append(ignored_line(c))
    return "\n".join(lines)
