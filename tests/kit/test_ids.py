from __future__ import annotations

import re

from timbre.kit.ids import new_id


class TestNewId:
    def test_a_prefix_and_sixteen_base62_characters(self) -> None:
        assert re.fullmatch(r"inv_[A-Za-z0-9]{16}", new_id("inv"))
        assert re.fullmatch(r"x_[A-Za-z0-9]{40}", new_id("x", 40))

    def test_every_character_is_drawn(self) -> None:
        ids = {new_id("evt") for _ in range(2000)}
        assert len(ids) == 2000
        assert {c for i in ids for c in i[4:]} == set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
