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
        "province": "江苏",
        "city": "无锡",
    }
    assert {"chinese_party", "jiangsu_party", "wuxi_party"} <= set(output["tags"]["flags"])


def test_the_crawler_kind_wins_over_text_cues_unless_it_is_plain_news(tagger: Tagger) -> None:
    notice = "关于做好2025年海外知识产权纠纷应对指导工作的通知"
    lines = [
        json.dumps({"title": notice, "kind": "news", "jurisdictions": ["CN"]}),
        json.dumps({"title": "Apple Inc. v. Demo LLC: complaint filed", "kind": "decision"}),
        json.dumps({"title": "Demo Corp. sues Sample Inc. for patent infringement"}),
    ]
    outputs = [json.loads(line)["tags"] for line in tag_json_lines(lines, tagger)]
    assert outputs[0]["kind"] == "news", "an office notice on dispute guidance is no dispute"
    assert outputs[0]["jurisdictions"] == ["CN"], "the item's own country is kept"
    assert outputs[1]["kind"] == "decision", "the crawler's structured kind wins"
    assert outputs[2]["kind"] == "dispute", "without a crawler kind the text decides"


def test_schedule_a_complaints_are_flagged(tagger: Tagger) -> None:
    caption = (
        "Harbor Lane Designs LLC v. The Partnerships and Unincorporated Associations "
        'Identified on Schedule "A"\nN.D. Ill. 1:25-cv-05987; nature of suit 830 Patent.'
    )
    tags = json.loads(next(tag_json_lines([json.dumps({"text": caption})], tagger)))["tags"]
    assert "schedule_a" in tags["flags"]
    assert [p["name"] for p in tags["parties"]] == [
        "Harbor Lane Designs LLC",
        'The Partnerships and Unincorporated Associations Identified on Schedule "A"',
    ]
    assert tags["case_refs"] == ["1:25-cv-05987"]


def test_a_text_over_the_cap_is_marked_capped(tagger: Tagger) -> None:
    long_text = "Wuxi lithium battery patent dispute. " * 3000
    short, long = (
        json.loads(line)["tags"]
        for line in tag_json_lines(
            [json.dumps({"text": "Lithium battery patent"}), json.dumps({"text": long_text})],
            tagger,
        )
    )
    assert short["capped"] is False
    assert long["capped"] is True


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
