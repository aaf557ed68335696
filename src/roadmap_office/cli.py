"""The ``roadmap-office`` command line: thin click commands over the library."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from . import __version__, cli_messages
from .errors import EXIT_MEANINGS, Exit, RoadmapError
from .master import read_master
from .model import Roadmap
from .pipeline import OUTPUT_FORMATS
from .presentation import day, percent, run_summary


cli_messages.install()


class _Group(click.Group):
    """Turns library errors into a Russian message and the error's exit code."""

    def invoke(self, ctx: click.Context):
        try:
            result = self._invoke(ctx)
        except click.exceptions.Exit:
            _flush_output()
            raise
        _flush_output()
        return result

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `roadmap-office check FILE | head`: the reader has what it wanted
            _drop_output()
            ctx.exit(Exit.PIPE)
        except RoadmapError as exc:
            click.echo(f"Ошибка: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: its own exit code, never mistaken for refused files
            import traceback

            click.echo(f"Ошибка: {EXIT_MEANINGS[Exit.INTERNAL]} ({type(exc).__name__}: {exc}). "
                       "Сообщите разработчикам; подробности ниже.", err=True)
            click.echo(traceback.format_exc(), err=True)
            ctx.exit(Exit.INTERNAL)


def _flush_output() -> None:
    """Flush now, where a reader that stopped early is noticed, not at exit (a traceback there)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_output()


def _drop_output() -> None:
    """Nobody reads stdout any more: what is left goes nowhere, quietly."""
    import os

    try:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives until the exit
        os.dup2(sys.stdout.fileno(), 1)
    except OSError:
        pass


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="roadmap-office", message="%(prog)s %(version)s")
def main() -> None:
    """Дорожные карты муниципальной системы образования: мастер-книга, шаблоны отчётов школ,
    проверка и свод."""


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Вывести модель в формате JSON.")
def show(master: Path, as_json: bool) -> None:
    """Показать содержание мастер-книги MASTER (ODS или XLSX)."""
    roadmap = read_master(master)
    if as_json:
        click.echo(json.dumps(roadmap.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(summary(roadmap))


def summary(roadmap: Roadmap) -> str:
    """A readable Russian summary of a roadmap."""
    items = roadmap.items
    flagged = [i for i in items if i.deadline.flagged]
    period = ""
    if roadmap.period_start and roadmap.period_end:
        period = f"{day(roadmap.period_start)} – {day(roadmap.period_end)}"
    lines = [
        roadmap.title,
        f"Утверждена: {roadmap.issuer}" if roadmap.issuer else "",
        f"Период реализации: {period or 'не указан'}",
        _period_line(roadmap),
        "",
        f"Разделов: {len(roadmap.sections)}, мероприятий: {len(items)}",
    ]
    for section in roadmap.sections:
        lines.append(f"  {section.number} {section.title} — мероприятий: {len(section.items)}")
    lines += [
        "",
        f"Сроки распознаны: {len(items) - len(flagged)}, не распознаны: {len(flagged)}",
        *[f"  {i.number} «{i.deadline.text}»" for i in flagged],
        f"Исполнителей в справочнике: {len(roadmap.executors)}",
        f"Школ: {len(roadmap.schools)}",
        f"Показателей: {len(roadmap.indicators)}",
    ]
    return "\n".join(line for line in lines if line is not None).replace("\n\n\n", "\n\n")


def _period_line(roadmap: Roadmap) -> str:
    if not roadmap.reporting_period:
        return ""
    period = roadmap.period
    if period is None:
        return f"Отчётный период: {roadmap.reporting_period} (не распознан)"
    return f"Отчётный период: {period.label} ({period.span})"


class _Formats(click.ParamType):
    """A comma-separated list of output formats, e.g. "ods,xlsx"."""

    name = "formats"

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        formats = tuple(f.strip().lower().lstrip(".") for f in str(value).split(",") if f.strip())
        wrong = [f for f in formats if f not in self.allowed]
        if wrong or not formats:
            self.fail(f"неизвестный формат «{wrong[0] if wrong else value}»; допустимо: {', '.join(self.allowed)}",
                      param, ctx)
        return formats


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Папка для шаблонов.")
@click.option("--format", "formats", default="ods,xlsx", type=_Formats(("ods", "xlsx")), show_default=True,
              help="Форматы через запятую.")
@click.option("--school", "schools", multiple=True, metavar="CODE", help="Код школы (можно несколько раз).")
@click.option("--period", help="Отчётный период (по умолчанию — из мастер-книги).")
@click.option("--password", help="Пароль защиты листов (по умолчанию без пароля).")
def templates(master: Path, outdir: Path, formats, schools, period, password) -> None:
    """Создать шаблоны отчётов школ по мастер-книге MASTER."""
    from .forms import generate_templates

    paths = generate_templates(master, outdir, formats, list(schools) or None, period, password)
    click.echo(f"Создано шаблонов: {len(paths)} в папке {outdir}")
    for path in paths:
        click.echo(f"  {path.name}")


@main.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Мастер-книга для записи (.ods или .xlsx).")
@click.option("--roadmap", "choice", metavar="N", help="Номер дорожной карты в документе, например 2.3.")
@click.option("--list", "list_only", is_flag=True, help="Показать дорожные карты документа и выйти.")
@click.option("--json", "as_json", is_flag=True, help="Вывести модель в формате JSON (как show --json) со сверкой с документом (reconciliation).")
def import_(source: Path, output: Path | None, choice: str | None, list_only: bool, as_json: bool) -> None:
    """Импортировать дорожную карту из документа SOURCE (ODT, DOCX, ODS, XLSX, PDF, текст) в мастер-книгу."""
    from .importing import ImportReport, import_roadmap, list_roadmaps
    from .master import write_master

    if list_only:
        roadmaps = list_roadmaps(source)
        click.echo(f"Дорожных карт в документе: {len(roadmaps)}")
        for info in roadmaps:
            label = info.number or str(info.index)
            appendix = f" (приложение {info.appendix})" if info.appendix else ""
            click.echo(f"  {label}{appendix}: разделов {info.sections}, мероприятий {info.items} — {info.title}")
        return
    if output is None:
        raise click.UsageError("укажите файл мастер-книги: -o MASTER.ods")
    if output.suffix.lower() not in (".ods", ".xlsx"):
        raise click.BadParameter("мастер-книга записывается в формате .ods или .xlsx", param_hint="-o")
    report = ImportReport()
    roadmap = import_roadmap(source, choice, report=report)
    write_master(roadmap, output)
    if as_json:
        click.echo(json.dumps(dict(roadmap.to_json(), reconciliation=report.reconciliation), ensure_ascii=False,
                              indent=2))
        return
    flagged = sum(1 for item in roadmap.items if item.deadline.flagged)
    click.echo(f"Импортирована дорожная карта: {roadmap.title}")
    click.echo(f"Разделов: {len(roadmap.sections)}, мероприятий: {len(roadmap.items)}, "
               f"исполнителей в справочнике: {len(roadmap.executors)}")
    click.echo(f"Сроки распознаны: {len(roadmap.items) - flagged}, не распознаны: {flagged}")
    if roadmap.indicators:
        click.echo(f"Показателей из паспорта: {len(roadmap.indicators)}")
    for section in roadmap.sections:
        click.echo(f"  {section.number or '—'} {section.title[:70]}: {len(section.items)}")
    if report.warnings:
        click.echo(f"Предупреждения ({len(report.warnings)}):")
        for warning in report.warnings:
            click.echo(f"  {warning}")
    counts = report.reconciliation
    click.echo(f"Сверка с документом: строк таблицы {counts['source_rows']} (с номером мероприятия "
               f"{counts['numbered_rows']}, со сроком {counts['deadline_cells']}), абзацев {counts['paragraphs']}; "
               f"размещено строк {counts['placed']}: мероприятий {counts['items']}, разделов {counts['sections']}, "
               f"продолжений {counts['continuations']}; названо ниже: {len(counts['named'])}")
    if report.unplaced:
        click.echo(f"Текст таблицы, не размещённый в мастер-книге ({len(report.unplaced)}):")
        for text in report.unplaced:
            click.echo(f"  {text}")
    if report.notes:
        click.echo(f"Текст после таблицы (подписи, примечания), не размещённый в мастер-книге ({len(report.notes)}):")
        for text in report.notes:
            click.echo(f"  {text}")
    others = counts.get("other_roadmaps", [])
    if others:
        click.echo(f"В документе есть и другие дорожные карты ({len(others)}), они не импортированы "
                   "(список: --list, выбор: --roadmap N):")
        for label in others:
            click.echo(f"  {label}")
    if report.complete:
        click.echo("Весь текст таблицы " + ("этой дорожной карты " if others else "") + "размещён в мастер-книге.")
    else:
        click.echo("ВНИМАНИЕ: не весь текст таблицы размещён в мастер-книге — сверьте её с документом "
                   "по строкам, названным выше.")
    click.echo(f"Мастер-книга записана: {output}")


class _Date(click.ParamType):
    """A date as ДД.ММ.ГГГГ or ГГГГ-ММ-ДД."""

    name = "date"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(str(value), fmt).date()
            except ValueError:
                continue
        self.fail(f"«{value}» не является датой (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)", param, ctx)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--master", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Мастер-книга: проверить также соответствие дорожной карте.")
@click.option("--json", "as_json", is_flag=True, help="Вывести замечания в формате JSON.")
def check(file: Path, master: Path | None, as_json: bool) -> None:
    """Проверить заполненный отчёт школы FILE.

    Код завершения: 0 — замечаний нет, 1 — есть замечания, 2 — файл не читается или не является
    шаблоном отчёта.
    """
    from .pipeline import check_one

    result = check_one(file, master)
    if as_json:
        click.echo(json.dumps({
            "file": result.name, "school": result.school, "rejected": result.rejected or None,
            "problems": [f.to_json() for f in result.findings],
        }, ensure_ascii=False, indent=2))
    elif result.rejected:
        click.echo(f"Файл «{result.name}» не принят: {result.rejected}", err=True)
    elif result.findings:
        click.echo(f"Файл «{result.name}»: замечаний — {len(result.findings)}")
        for finding in result.findings:
            click.echo(f"  {finding}")
    else:
        click.echo(f"Файл «{result.name}»: замечаний нет, отчёт можно отправлять.")
    sys.exit(Exit.USAGE if result.rejected else Exit.FILES if result.findings else Exit.OK)


@main.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Папка для сводной книги и отчёта.")
@click.option("--format", "formats", default="xlsx,ods,odt", show_default=True,
              type=_Formats(OUTPUT_FORMATS), help="Форматы результата через запятую.")
@click.option("--as-of", "as_of", type=_Date(), help="Дата, на которую считаются просрочки (по умолчанию — окончание отчётного периода, если он завершён, иначе сегодня).")
@click.option("--jobs", type=click.IntRange(min=1), help="Число параллельных процессов проверки.")
@click.option("--history", "history", type=click.Path(dir_okay=False, path_type=Path),
              help="Файл истории сводов (SQLite): сохранить в нём этот свод и показать динамику по периодам.")
@click.option("--report-template", "report_template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Шаблон отчёта (ODT, см. команду report-template); по умолчанию — из настройки «Шаблон отчёта» "
                   "мастер-книги или встроенный.")
@click.option("--letters", "letters", type=click.Path(file_okay=False, path_type=Path),
              help="Папка для писем школам: по файлу .eml на школу (её замечания, показатели или напоминание).")
@click.option("--json", "as_json", is_flag=True, help="Вывести итоги в формате JSON.")
def consolidate(master: Path, inputs, outdir: Path, formats, as_of, jobs, history, report_template, letters,
                as_json: bool) -> None:
    """Свести отчёты школ INPUTS (файлы и папки, ODS и XLSX) по мастер-книге MASTER."""

    result = _consolidate_with_progress(master, inputs, outdir, formats, as_of, jobs, quiet=as_json,
                                        history=history, report_template=report_template, letters=letters)
    c = result.consolidation
    if as_json:
        click.echo(json.dumps(c.summary_json([str(p) for p in result.outputs]), ensure_ascii=False, indent=2))
    else:
        click.echo(run_summary(c))
        for path in result.outputs:
            click.echo(f"Записан файл: {path}")
        if history:
            click.echo(f"История сводов: {history} (отчётных периодов: {len(c.history)}, "
                       f"текущий — {c.history[-1].period.label})")
        if letters:
            click.echo(f"Письма школам: {len(result.letters)} в папке {letters}")
    for error in result.errors:
        click.echo(f"Ошибка: {error}", err=True)
    if result.errors:
        sys.exit(Exit.PDF)


def _consolidate_with_progress(master, inputs, outdir, formats, as_of, jobs, quiet=False, history=None,
                               report_template=None, letters=None):
    from .pipeline import collect_inputs, run_consolidation

    total = len(collect_inputs(inputs))
    if quiet or total < 2 or not sys.stderr.isatty():
        return run_consolidation(master, inputs, outdir, formats, as_of, jobs, history=history,
                                 report_template=report_template, letters=letters)
    with click.progressbar(length=total, label="Проверка отчётов", file=sys.stderr) as bar:
        return run_consolidation(master, inputs, outdir, formats, as_of, jobs,
                                 progress=lambda n, total, name: bar.update(1), history=history,
                                 report_template=report_template, letters=letters)


@main.command("report-template")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Файл шаблона (ODT), который можно править в LibreOffice Writer.")
def report_template_(output: Path) -> None:
    """Записать встроенный шаблон сводного отчёта для правки в Writer."""
    from .rendering.report import write_report_template

    if output.suffix.lower() != ".odt":
        raise click.BadParameter("шаблон отчёта записывается в формате ODT: укажите имя файла с расширением .odt",
                                 param_hint="-o")
    path = write_report_template(output)
    click.echo(f"Записан шаблон отчёта: {path}")
    click.echo("Откройте его в LibreOffice Writer, измените текст и оформление и сохраните в формате ODT; "
               "поля в угловых скобках заполняются при своде (consolidate --report-template или настройка "
               "«Шаблон отчёта» мастер-книги).")


@main.command("history")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Вывести периоды в формате JSON.")
def history_(file: Path, as_json: bool) -> None:
    """Показать отчётные периоды, сохранённые в файле истории сводов FILE."""
    from .history import read_history

    periods = read_history(file)
    if as_json:
        click.echo(json.dumps({"periods": [p.summary_json() for p in periods]}, ensure_ascii=False, indent=2))
        return
    if not periods:
        click.echo(f"В файле истории {file} нет сохранённых сводов.")
        return
    click.echo(f"Отчётных периодов в истории: {len(periods)}")
    for p in periods:
        click.echo(f"  {p.period.label} ({p.period.span}), данные на {day(p.as_of)}: "
                   f"отчёты {p.schools_submitted} из {p.schools_expected}, выполнение {percent(p.completion_pct)}, "
                   f"просрочено {p.overdue}")


@main.group(help="Ночной свод на сервере: папки inbox, archive, quarantine, out.\n\nКоды завершения: "
            + "; ".join(f"{int(code)} — {text}" for code, text in EXIT_MEANINGS.items()) + ".")
def batch() -> None:
    pass


@batch.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--master", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Мастер-книга дорожной карты.")
def batch_init(directory: Path, master: Path) -> None:
    """Создать в DIRECTORY папки и файл конфигурации ночного свода."""
    from .batch import init_tree

    config = init_tree(directory, master)
    click.echo(f"Создана папка ночного свода: {directory}")
    click.echo(f"Конфигурация: {config}")
    click.echo(f"Запуск: roadmap-office batch run --config {config}")


@batch.command("run")
@click.option("--config", "config", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Файл конфигурации roadmap-office.toml.")
@click.option("--quiet", is_flag=True, help="Не выводить журнал в терминал (только в файлы журнала).")
@click.option("--json", "as_json", is_flag=True, help="Вывести итог запуска в формате JSON.")
def batch_run(config: Path, quiet: bool, as_json: bool) -> None:
    """Выполнить один ночной свод по конфигурации."""
    from .batch import run_batch

    summary = run_batch(config, quiet=quiet or as_json)
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    sys.exit(summary.exit_code)


@main.group()
def extension() -> None:
    """Расширение LibreOffice: меню «Дорожная карта» в Calc."""


@extension.command("build")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Файл .oxt или папка (по умолчанию dist/).")
@click.option("--shared", is_flag=True, help="Для установки для всех пользователей (unopkg add --shared).")
def extension_build(output: Path | None, shared: bool) -> None:
    """Собрать расширение roadmap-office.oxt."""
    from .extension import build_oxt

    path = build_oxt(output, shared=shared)
    click.echo(f"Расширение собрано: {path}")


@extension.command("install")
@click.argument("oxt", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--shared", is_flag=True, help="Установить для всех пользователей (нужны права администратора).")
def extension_install(oxt: Path | None, shared: bool) -> None:
    """Установить расширение в LibreOffice (при необходимости собрав его)."""
    import tempfile

    from .extension import build_oxt, install_oxt

    with tempfile.TemporaryDirectory(prefix="roadmap-office-oxt-") as work:
        path = oxt or build_oxt(Path(work), shared=shared)
        where = install_oxt(path, shared)
    click.echo(f"Расширение {path.name} установлено {where}. Перезапустите LibreOffice.")


@main.command()
@click.argument("outdir", required=False, default="roadmap-demo", type=click.Path(file_okay=False, path_type=Path))
def demo(outdir: Path) -> None:
    """Выполнить полный цикл на демонстрационном округе (г. Саров) в папке OUTDIR."""
    from .demo import run_demo

    click.echo(f"Демонстрационный округ: дорожная карта 2.3 г. Сарова, 12 школ → {outdir}")
    outputs = run_demo(outdir)
    errors = []
    for period in (outputs, outputs.second):
        roadmap = read_master(period.master)
        click.echo(f"\nОтчётный период: {roadmap.period.label}")
        click.echo(f"Мастер-книга: {period.master}  (разделов: {len(roadmap.sections)}, "
                   f"мероприятий: {len(roadmap.items)}, школ: {len(roadmap.schools)})")
        for label, path in period.extra.items():
            click.echo(f"{label}: {path}")
        click.echo(run_summary(period.consolidation))
        errors += period.errors
    click.echo(f"\nИстория сводов (оба периода): {outputs.history}; динамика — в отчёте второго периода "
               "(лист «Динамика», раздел «Динамика по отчётным периодам»).")
    for error in errors:
        click.echo(f"Ошибка: {error}", err=True)
    if errors:
        sys.exit(Exit.PDF)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
