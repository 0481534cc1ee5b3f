"""How a continuous-batching step is planned: pure bookkeeping, no model."""

from __future__ import annotations

from service.models.backend import Source
from service.models.llama_slots import Prefix, Slot, best_prefix, common_length, plan_step


def slot(
    key: str, sequence: int, prompt: list[int], fed: int = 0, generated: list[int] | None = None
) -> Slot:
    return Slot(key, sequence, Source(key), prompt, budget=10, fed=fed, generated=generated or [])


def test_generating_slots_feed_their_last_token_and_prompts_fill_the_rest_of_the_batch() -> None:
    decoding = slot("a", 0, [1, 2, 3], fed=3, generated=[7, 8])
    reading = slot("b", 1, list(range(100, 110)), fed=2)
    waiting = slot("c", 2, list(range(200, 205)))
    entries, owners = plan_step([decoding, reading, waiting], n_batch=6)

    assert entries[0].token == 8 and entries[0].position == 4 and entries[0].logits  # a's next position
    # b's prompt continues from what is cached, five tokens of it (the batch holds six), no logits yet.
    assert [(e.token, e.position, e.sequence, e.logits) for e in entries[1:]] == [
        (102, 2, 1, False),
        (103, 3, 1, False),
        (104, 4, 1, False),
        (105, 5, 1, False),
        (106, 6, 1, False),
    ]
    assert owners == [decoding]  # only a gets a token this step
    assert reading.fed == 7 and waiting.fed == 0


def test_a_prompt_that_ends_in_the_batch_asks_for_its_first_token() -> None:
    short = slot("a", 0, [5, 6, 7])
    other = slot("b", 1, [9, 9])
    entries, owners = plan_step([short, other], n_batch=16)
    assert [e.logits for e in entries] == [False, False, True, False, True]
    assert owners == [short, other]
    assert not short.reading and not other.reading


def test_finished_slots_take_no_place_in_the_batch() -> None:
    ended = slot("a", 0, [1], fed=1, generated=[3])
    ended.ended = True
    entries, owners = plan_step([ended], n_batch=8)
    assert entries == [] and owners == []


def test_the_longest_shared_head_is_chosen_and_one_prompt_token_is_always_left_to_evaluate() -> None:
    heads = [Prefix(8, (1, 2, 3)), Prefix(9, (1, 2, 3, 4, 5, 6))]
    assert common_length([1, 2, 3, 4, 0], [1, 2, 3, 4, 5]) == 4
    assert best_prefix([1, 2, 3, 4, 5, 6, 7], heads, minimum=2) == (heads[1], 6)
    assert best_prefix([1, 2, 3, 4, 5, 6], heads, minimum=2) == (heads[1], 5)  # the last one is evaluated
    assert best_prefix([1, 9], heads, minimum=2) is None


def test_a_model_going_round_in_circles_is_stopped_where_the_repetition_began() -> None:
    looping = Slot("a", 0, Source("a"), [1], budget=1000, fed=1)
    phrase = list(range(10, 20))  # ten tokens, said over and over
    for token in [5, 6, *phrase * 5]:
        if looping.done:
            break
        looping.take(token)
    assert looping.done
    assert looping.generated == [5, 6, *phrase]  # said once, as meant


def test_a_phrase_said_twice_is_not_a_loop() -> None:
    fluent = Slot("a", 0, Source("a"), [1], budget=1000, fed=1)
    for token in [*range(10, 20), 1, 2, *range(10, 20), 3]:
        fluent.take(token)
    assert not fluent.done and len(fluent.generated) == 23
