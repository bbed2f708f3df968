"""Exercises of lesson 11, "Tables, items and data types" (the DynamoDB deck).

The checkers know DynamoDB's rules, not a particular endpoint: the expected
low-level item comes from boto3's own ``TypeSerializer``, so an answer is
judged the same whether the lesson ran on the lab or on an outside endpoint.

Examples
--------
>>> q1.evaluate(low_level(Q1_ITEM)).status
'correct'
>>> q2.check("ValidationException")
q2: not quite. The request was valid; DynamoDB evaluated the condition, and it was false.
>>> q3.evaluate({"cat", "sunset"}).status
'correct'
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..text import noun
from .core import Exercise, ExerciseSet, Wrong, expect_choice

__all__ = ["q1", "q2", "q3", "exercises", "progress", "TABLES", "Q1_ITEM", "low_level",
           "drop_lesson_tables", "show_item", "shown", "solution_namespace", "WRONG"]

#: The tables the lesson makes; its setup cell drops them, so it can run again.
TABLES = ("Images", "Scratch")

#: The item q1 asks the learner to write in the low-level form.
Q1_ITEM = {"imageid": Decimal(7), "tags": {"cat", "sunset"}, "public": True,
           "size": [Decimal(640), Decimal(480)], "album": None}


def low_level(item: dict) -> dict:
    """``item`` (Python values, as the resource takes them) in the client's form.

    >>> low_level({"n": Decimal(1), "ok": True})
    {'n': {'N': '1'}, 'ok': {'BOOL': True}}
    """
    from boto3.dynamodb.types import TypeSerializer
    ser = TypeSerializer()
    return {k: ser.serialize(v) for k, v in item.items()}


def drop_lesson_tables(client: Any, names=TABLES) -> list:
    """Delete the lesson's tables where they exist (any backend); returns the
    names deleted. A lesson calls this first so that it can run again."""
    gone = []
    existing = set(client.list_tables()["TableNames"])
    for name in names:
        if name in existing:
            client.delete_table(TableName=name)
            client.get_waiter("table_not_exists").wait(
                TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
            gone.append(name)
    return gone


def shown(value: Any) -> str:
    """``repr`` with sets (and the low-level form's set lists) in sorted order,
    so that a printed item reads the same in every kernel (set order depends
    on Python's per-process hash seed).

    >>> shown({"b", "a"}), shown({"SS": ["b", "a"]})
    ("{'a', 'b'}", "{'SS': ['a', 'b']}")
    """
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(shown(x) for x in value)) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shown(x) for x in value) + "]"
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("SS", "NS", "BS"):
            (t, v), = value.items()
            return "{" + repr(t) + ": [" + ", ".join(sorted(shown(x) for x in v)) + "]}"
        return "{" + ", ".join(f"{k!r}: {shown(v)}" for k, v in value.items()) + "}"
    return repr(value)


def show_item(item: dict) -> None:
    """Print an item one attribute a line, by name (either API's form).

    >>> show_item({"b": {"N": "1"}, "a": {"SS": ["y", "x"]}})
    a: {'SS': ['x', 'y']}
    b: {'N': '1'}
    """
    for name in sorted(item):
        print(f"{name}: {shown(item[name])}")


_TYPE_NAMES = {"S": "a string", "N": "a number", "B": "a binary", "BOOL": "a boolean",
               "NULL": "a null", "SS": "a string set", "NS": "a number set",
               "BS": "a binary set", "L": "a list", "M": "a map"}


def _norm(av: Any) -> Any:
    """An AttributeValue with set members in a canonical order."""
    if not isinstance(av, dict) or len(av) != 1:
        return av
    (t, v), = av.items()
    if t in ("SS", "NS", "BS") and isinstance(v, list):
        return {t: sorted(v, key=repr)}
    if t == "L" and isinstance(v, list):
        return {t: [_norm(x) for x in v]}
    if t == "M" and isinstance(v, dict):
        return {t: {k: _norm(x) for k, x in v.items()}}
    return av


def _check_low_level(answer: Any, expected: dict) -> None:
    if not isinstance(answer, dict):
        raise Wrong(f"Expected a dict of attribute names to AttributeValues, got a "
                    f"{type(answer).__name__}.")
    missing = sorted(set(expected) - set(answer))
    extra = sorted(set(answer) - set(expected))
    if extra:
        raise Wrong(f"{extra!r} should not be in the item.")
    if missing:
        names = ", ".join(map(repr, missing))
        raise Wrong(f"The {noun(len(missing), 'attribute')} {names} "
                    f"{'is' if len(missing) == 1 else 'are'} missing.")
    for name in expected:
        got, want = answer[name], expected[name]
        (wt, wv), = want.items()
        if not isinstance(got, dict) or len(got) != 1:
            raise Wrong(f"`{name}` must be an AttributeValue: a dict with one type tag, "
                        f"like {{{wt!r}: ...}}, not {got!r}.")
        (gt, gv), = got.items()
        if gt != wt:
            raise Wrong(f"`{name}` is {_TYPE_NAMES.get(wt, wt)}, tagged {wt!r}; "
                        f"you tagged it {gt!r}.")
        if _norm(got) == _norm(want):
            continue
        if wt == "N" or (wt in ("NS", "L") and "N" in repr(wv)):
            raise Wrong(f"`{name}`: numbers travel as strings in the low-level form, "
                        f"e.g. {{'N': '7'}}; compare yours, {got!r}.")
        raise Wrong(f"`{name}` has the right type but the wrong value: {got!r}.")


q1 = Exercise(
    "q1", "Write the item {imageid: 7, tags: {'cat', 'sunset'}, public: True, "
          "size: [640, 480], album: None} in the low-level client's form.",
    var="q1_item",
    kind="code",
    expected=lambda: low_level(Q1_ITEM),
    check=_check_low_level,
    hints=["Every value becomes a dict with one type tag: {'N': '7'}, {'BOOL': True}, "
           "{'NULL': True}, {'SS': [...]}, {'L': [...]}.",
           "Numbers are sent as strings, even inside a list: {'L': [{'N': '640'}, ...]}."],
    solution="""
        q1_item = {"imageid": {"N": "7"}, "tags": {"SS": ["cat", "sunset"]},
                   "public": {"BOOL": True}, "size": {"L": [{"N": "640"}, {"N": "480"}]},
                   "album": {"NULL": True}}
    """,
    success="The resource API does exactly this for you (boto3's TypeSerializer).",
)

_WHY2 = {
    "ValidationException": "The request was valid; DynamoDB evaluated the condition, "
                           "and it was false.",
    "ClientError": "ClientError is the Python class; DynamoDB's code is in "
                   "e.response['Error']['Code'].",
    "ResourceNotFoundException": "The table exists; it is the condition that failed.",
}

q2 = Exercise(
    "q2", "Put image 12345 again with ConditionExpression='attribute_not_exists(imageid)'. "
          "Catch the ClientError: what is its error code?",
    var="q2_code",
    kind="code",
    expected="ConditionalCheckFailedException",
    check=expect_choice(["ConditionalCheckFailedException", "ValidationException",
                         "ResourceNotFoundException", "ClientError"],
                        what="error code", why=_WHY2),
    hints=["A refused request raises botocore's ClientError: wrap the put_item in "
           "try/except ClientError as e.",
           "The exception carries DynamoDB's reply: section 5's cell prints the code "
           "from it. Which line of section 5's table is a false condition?"],
    solution="""
        try:
            images.put_item(Item={"imageid": 12345, "url": "https://example.com/12345.jpg"},
                            ConditionExpression="attribute_not_exists(imageid)")
            q2_code = None
        except ClientError as e:
            q2_code = e.response["Error"]["Code"]
    """,
    success="A condition turns a blind overwrite into a safe insert: nothing was written.",
)


def _check_tags(answer: Any, expected: set) -> None:
    if isinstance(answer, dict):
        raise Wrong("That is the low-level form ({'SS': [...]}); read the item with the "
                    "resource (images.update_item), which gives a Python set.")
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Wrong(f"Expected a set of tags, got a {type(answer).__name__}: {answer!r}.")
    got = set(answer)
    if got == expected:
        return
    if got < expected:
        raise Wrong(f"{sorted(expected - got)!r} is missing: ADD on a set adds to what "
                    f"is there, it does not replace it.")
    raise Wrong(f"{sorted(got - expected)!r} should not be there.")


q3 = Exercise(
    "q3", "Image 12345 has tags {'cat'}. Add the tag 'sunset' with update_item, "
          "UpdateExpression='ADD tags :t', ReturnValues='ALL_NEW'. What are its tags now?",
    var="q3_tags",
    kind="code",
    expected={"cat", "sunset"},
    check=_check_tags,
    hints=["ExpressionAttributeValues={':t': {'sunset'}}: a Python set becomes an SS.",
           "The response's 'Attributes' is the whole item after the update."],
    solution="""
        out = images.update_item(Key={"imageid": 12345}, UpdateExpression="ADD tags :t",
                                 ExpressionAttributeValues={":t": {"sunset"}},
                                 ReturnValues="ALL_NEW")
        q3_tags = out["Attributes"]["tags"]
    """,
    success="ADD merges into a set (and adds to a number); SET would replace the value.",
)

exercises = ExerciseSet("Lesson 11 exercises", [q1, q2, q3])
progress = exercises.progress


def solution_namespace() -> dict:
    """The names the lesson defines before its exercises (for the tests): a
    fresh lab service with the Images table and image 12345 tagged {'cat'}."""
    from botocore.exceptions import ClientError

    from ..dynamodb.service import DynamoDB
    svc = DynamoDB(seed=11)
    client, dynamodb = svc.client(), svc.resource()
    client.create_table(TableName="Images", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "imageid", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "imageid",
                                               "AttributeType": "N"}])
    client.get_waiter("table_exists").wait(TableName="Images")
    images = dynamodb.Table("Images")
    images.put_item(Item={"imageid": 12345, "url": "https://example.com/12345.jpg",
                          "tags": {"cat"}})
    return {"client": client, "dynamodb": dynamodb, "images": images,
            "ClientError": ClientError, "Decimal": Decimal}


#: Answers each exercise must call wrong; the notebook tests inject them too.
WRONG = {
    "q1": [{"imageid": {"N": 7}, "tags": {"SS": ["cat", "sunset"]}, "public": {"BOOL": True},
            "size": {"L": [{"N": "640"}, {"N": "480"}]}, "album": {"NULL": True}},
           {"imageid": {"N": "7"}, "tags": {"L": [{"S": "cat"}, {"S": "sunset"}]},
            "public": {"BOOL": True}, "size": {"L": [{"N": "640"}, {"N": "480"}]},
            "album": {"NULL": True}},
           {"imageid": 7, "tags": ["cat", "sunset"], "public": True, "size": [640, 480],
            "album": None}],
    "q2": ["ValidationException", "ClientError"],
    "q3": [{"sunset"}, {"SS": ["cat", "sunset"]}, "sunset"],
}
