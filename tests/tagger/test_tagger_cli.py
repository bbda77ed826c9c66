"""The ``iprwatch tag`` contract: JSON lines in, the same objects plus ``tags`` out."""

from __future__ import annotations

import json

from tagger import Tagger
from tagger.cli import tag_json_lines

TAG_KEYS = {
    "chains",
    "kind",
    "ip_types",
    "jurisdictions",
    "parties",
    "case_refs",
    "products",
    "signals",
}


def test_item_objects_come_back_with_their_tags(tagger: Tagger) -> None:
    item = {
        "id": "x1",
        "title": "USITC institutes 337 investigation of solar modules",
        "summary": "Respondents include Wuxi Sun Co., Ltd. of Wuxi, Jiangsu, China.",
        "language": "en",
        "source": "usitc",
    }
    [line] = list(tag_json_lines([json.dumps(item)], tagger))
    output = json.loads(line)
    assert {k: output[k] for k in item} == item
    assert set(output["tags"]) >= TAG_KEYS
    assert [c["id"] for c in output["tags"]["chains"]] == ["A5"]
    assert set(output["tags"]["chains"][0]) >= {"id", "score", "evidence"}
    assert output["tags"]["kind"] == "dispute"


def test_text_objects_are_tagged_and_parties_have_the_contract_fields(tagger: Tagger) -> None:
    line = json.dumps(
        {"text": "The respondents named are: Alpha Co., Ltd. of Wuxi, China. Section 337."},
        ensure_ascii=False,
    )
    output = json.loads(next(tag_json_lines([line], tagger)))
    [party] = output["tags"]["parties"]
    assert party == {
        "name": "Alpha Co., Ltd.",
        "role": "respondent",
        "location": "Wuxi, China",
        "chinese": True,
    }


def test_a_bad_line_gives_an_error_line_and_the_stream_goes_on(tagger: Tagger) -> None:
    lines = ['{"text": "Solar modules"}', "{not json", "[1, 2]", "", '{"text": "锂电池"}']
    outputs = [json.loads(line) for line in tag_json_lines(lines, tagger)]
    assert len(outputs) == 4, "the blank line is skipped"
    assert outputs[0]["tags"]["chains"][0]["id"] == "A5"
    assert outputs[1]["line"] == 2 and outputs[1]["error"].startswith("invalid JSON")
    assert outputs[2] == {"error": "expected a JSON object, got list", "line": 3}
    assert outputs[3]["tags"]["chains"][0]["id"] == "A5"


def test_an_object_without_text_says_so(tagger: Tagger) -> None:
    output = json.loads(next(tag_json_lines(['{"id": "x"}'], tagger)))
    assert output["id"] == "x"
    assert output["tags"]["untagged"].startswith("no text")


def test_output_is_streamed_in_order_across_batches(tagger: Tagger) -> None:
    lines = (json.dumps({"n": n, "text": "Solar modules" if n % 2 else "锂电池"}) for n in range(7))
    outputs = [json.loads(line) for line in tag_json_lines(lines, tagger, batch_size=3)]
    assert [o["n"] for o in outputs] == list(range(7))
    assert all(o["tags"]["chains"][0]["id"] == "A5" for o in outputs)


def test_chinese_stays_readable_in_the_output(tagger: Tagger) -> None:
    line = next(tag_json_lines([json.dumps({"text": "锂电池"})], tagger))
    assert "锂电池" in line


def test_lone_surrogates_in_input_give_valid_utf8_output(tagger: Tagger) -> None:
    line = next(tag_json_lines(['{"title": "Solar \\ud800 modules", "id": "s"}'], tagger))
    line.encode("utf-8")
    assert json.loads(line)["tags"]["chains"][0]["id"] == "A5"
