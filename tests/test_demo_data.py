"""The demo's texts are data files (network/<feature>/demo_data/*.toml): all of them there, well formed and
pointing at each other rightly; a missing or broken one stops seed-demo with its name instead of seeding less."""
import re
import shutil
from pathlib import Path

import pytest

import network
from network.collections import demo as collections_demo
from network.demo import DemoDataError
from network.essays import demo as essays_demo
from network.evaluation import demo as evaluation_demo
from network.events import demo as events_demo
from network.institutions import demo as institutions_demo
from network.learning import demo as learning_demo
from network.practices import demo as practices_demo

NETWORK = Path(network.__file__).parent


def load_practices_and_comments(folder):
    return practices_demo.load_practices(folder), practices_demo.load_comments(folder)


# feature -> what reads its demo_data folder
READERS = {
    "institutions": institutions_demo.load,
    "practices": load_practices_and_comments,
    "essays": essays_demo.load_texts,
    "events": events_demo.load,
    "collections": collections_demo.load,
    "learning": learning_demo.load,
    "evaluation": evaluation_demo.load,
}
DATA_FILES = sorted((feature, path.name) for feature in READERS
                    for path in (NETWORK / feature / "demo_data").glob("*.toml"))


def copy_of(tmp_path, feature) -> Path:
    folder = tmp_path / feature
    shutil.copytree(NETWORK / feature / "demo_data", folder)
    return folder


def test_every_feature_with_demo_data_has_its_reader_here():
    assert {path.parent.name for path in NETWORK.glob("*/demo_data")} == set(READERS)


def test_the_data_files_are_read_and_point_at_each_other():
    network_data = institutions_demo.load()
    people = {person.email: person for person in network_data.people}
    slugs = {institution.slug for institution in network_data.institutions}
    practices = practices_demo.load_practices()
    assert len(practices) == len(practices_demo.REFS) == 33
    for practice in practices:
        assert practice["institution"] in slugs, practice["external_ref"]
        assert people[practice["author"]].institution == practice["institution"], practice["external_ref"]
    refs = {practice["external_ref"] for practice in practices}
    assert all(email in people for _ref, email, _body, _answers in practices_demo.load_comments())
    assert set(essays_demo.load_texts()) >= {"en", "es", "ro", "fi", "fr"}
    assert {event["host"] for event in events_demo.load().values()} <= slugs
    for collection in collections_demo.load():
        assert collection["editor"] in people
        assert {ref for _title, _intro, items in collection["chapters"] for ref, _note in items} <= refs
    course = learning_demo.load()
    linked = {title for module in course["modules"] for lesson in module["lessons"]
              for title in lesson.get("practices", [])}
    assert linked and linked <= {practice["title"] for practice in practices}


@pytest.mark.parametrize("feature, name", DATA_FILES)
def test_a_missing_data_file_is_named(tmp_path, feature, name):
    folder = copy_of(tmp_path, feature)
    (folder / name).unlink()
    with pytest.raises(DemoDataError, match=f"demo data file .*/{feature}/{name} is missing"):
        READERS[feature](folder)


def test_a_malformed_data_file_is_named(tmp_path):
    folder = copy_of(tmp_path, "essays")
    (folder / "texts.toml").write_text('[en]\ntitles = ["unfinished\n')
    with pytest.raises(DemoDataError, match="demo data file .*/essays/texts.toml is not valid TOML"):
        essays_demo.load_texts(folder)


def test_a_missing_unknown_or_mistyped_field_is_named(tmp_path):
    folder = copy_of(tmp_path, "practices")
    path = folder / "demo-017.toml"
    original = path.read_text()
    path.write_text(original.replace("\nsummary = ", "\nsumary = "))
    with pytest.raises(DemoDataError, match="demo-017.toml: missing summary"):
        practices_demo.load_practices(folder)
    path.write_text(original + 'colour = "green"\n')
    with pytest.raises(DemoDataError, match="demo-017.toml: unknown colour"):
        practices_demo.load_practices(folder)
    path.write_text(re.sub(r"\nsectors = \[.*\]\n", '\nsectors = "social"\n', original))
    with pytest.raises(DemoDataError, match="demo-017.toml: sectors should be a list of strings"):
        practices_demo.load_practices(folder)


def test_a_practice_file_not_listed_is_refused_not_left_out(tmp_path):
    folder = copy_of(tmp_path, "practices")
    shutil.copy(folder / "demo-033.toml", folder / "demo-034.toml")
    with pytest.raises(DemoDataError, match="demo-034 not listed in REFS"):
        practices_demo.load_practices(folder)


def test_a_reply_to_no_comment_is_refused(tmp_path):
    folder = copy_of(tmp_path, "practices")
    path = folder / "comments.toml"
    path.write_text(path.read_text().replace('answers = "demo-001-question"', 'answers = "no-such-comment"'))
    with pytest.raises(DemoDataError, match="comments.toml, comment 2: answers 'no-such-comment'"):
        practices_demo.load_comments(folder)


def test_seed_demo_stops_with_the_name_of_a_missing_file(app, runner, tmp_path, monkeypatch):
    folder = copy_of(tmp_path, "practices")
    (folder / "demo-017.toml").unlink()
    load = practices_demo.load_practices
    monkeypatch.setattr(practices_demo, "load_practices", lambda: load(folder))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert f"Error: demo data file {folder / 'demo-017.toml'} is missing" in result.output
