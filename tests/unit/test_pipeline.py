"""The stage table (textbook/pipeline.py) is the whole pipeline: nothing else orders stages."""

import importlib
import inspect

import pytest
from mkdocs.config import load_config

from textbook import pipeline
from textbook.plugin import TextbookPlugin


def adapter_events(stage: str) -> set[str]:
    module = importlib.import_module(f"textbook.adapters.{stage}")
    return {
        name.removeprefix("on_")
        for name, value in vars(module).items()
        if name.startswith("on_") and inspect.isfunction(value)
    }


@pytest.mark.parametrize("stage", pipeline.STAGES)
def test_every_adapter_function_is_in_the_table_and_nothing_else(stage):
    listed = {event for event in pipeline.EVENTS if stage in pipeline.stages_of(event)}
    assert adapter_events(stage) == listed


@pytest.mark.parametrize("stage", pipeline.STAGES)
def test_adapters_set_no_priority_of_their_own(stage):
    module = importlib.import_module(f"textbook.adapters.{stage}")
    for event in adapter_events(stage):
        assert not hasattr(getattr(module, f"on_{event}"), "mkdocs_priority"), (stage, event)


def test_stages_run_in_the_listed_order_within_a_priority():
    for event, groups in pipeline.EVENTS.items():
        priorities = [priority for priority, _ in groups]
        assert priorities == sorted(priorities, reverse=True), event
        for _, stages in groups:
            order = [pipeline.STAGES.index(s) for s in stages]
            assert order == sorted(order), event


def test_the_plugin_registers_one_handler_per_priority(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "settings", pipeline.settings)  # restored afterwards
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - search\n  - textbook:\n      fact_timeout: 7\n"
        "      stages: [chapter]\n"
    )
    config = load_config(str(tmp_path / "mkdocs.yml"))
    events = config.plugins.events
    ours = {
        event: [
            getattr(m, "mkdocs_priority", 0) for m in events[event] if "textbook:" in m.__name__
        ]
        for event in pipeline.EVENTS
    }
    assert ours == {event: [p for p, _ in groups] for event, groups in pipeline.EVENTS.items()}
    config.plugins.on_startup(command="build", dirty=False)
    assert pipeline.settings == pipeline.Settings(fact_timeout=7.0)


def test_an_unknown_stage_is_refused(tmp_path):
    plugin = TextbookPlugin()
    plugin.load_config({"stages": ["maths"]})
    with pytest.raises(ValueError, match="unknown stage 'maths'"):
        plugin.on_startup(command="build", dirty=False)


def test_the_cell_output_limit_is_an_option_of_the_plugin(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "settings", pipeline.settings)  # restored afterwards
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - textbook:\n      cell_output_limit: 100\n"
        "      stages: [chapter]\n"
    )
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    assert pipeline.settings.cell_output_limit == 100


@pytest.mark.parametrize(
    ("option", "bad", "says"),
    [
        ("cell_output_limit", 0, "must be a whole number of bytes above 0, not 0"),
        ("cell_output_limit", -5, "must be a whole number of bytes above 0, not -5"),
        ("cell_output_limit", "20 KB", "must be a whole number of bytes above 0, not '20 KB'"),
        ("cell_output_limit", True, "must be a whole number of bytes above 0, not True"),
        ("cell_output_limit", 1.5, "must be a whole number of bytes above 0, not 1.5"),
        ("figure_timeout", 0, "must be a number of seconds above 0, not 0"),
        ("fact_timeout", "60 s", "must be a number of seconds above 0, not '60 s'"),
    ],
)
def test_a_bad_option_value_is_a_configuration_error_naming_it(option, bad, says):
    plugin = TextbookPlugin()
    errors, _ = plugin.load_config({option: bad})
    assert [(name, str(error)) for name, error in errors] == [(option, says)]
