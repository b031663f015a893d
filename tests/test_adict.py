"""ADict: access, conversion, merging, freezing, tracking, hashing, copying."""

from __future__ import annotations

import copy
import hashlib
import pickle
import subprocess
import sys

import pytest

from ato import ADict, ConfigError
from ato.errors import ConfigKeyError


class TestAccess:
    def test_attribute_and_item_access_agree(self) -> None:
        """A key set either way reads back either way."""
        cfg = ADict(lr=0.1)
        cfg.epochs = 10
        cfg["batch"] = 32
        assert (cfg.lr, cfg["lr"], cfg.epochs, cfg["epochs"], cfg.batch) == (0.1, 0.1, 10, 10, 32)

    def test_is_a_real_dict(self) -> None:
        """ADict is a dict subclass, equal to the plain dict with the same items."""
        cfg = ADict(a=1, b={"c": 2})
        assert isinstance(cfg, dict)
        assert cfg == {"a": 1, "b": {"c": 2}}
        assert dict(cfg) == {"a": 1, "b": {"c": 2}}

    def test_missing_attribute_names_the_closest_key(self) -> None:
        """A missing key read as an attribute is an AttributeError whose report suggests a key."""
        cfg = ADict(lr=0.1, epochs=3)
        with pytest.raises(AttributeError) as err:
            _ = cfg.lrr
        assert err.value.name == "lrr"
        assert err.value.obj is cfg
        assert not hasattr(cfg, "nope")
        script = "from ato import ADict\ncfg = ADict(lr=0.1, epochs=3)\ncfg.lrr\n"
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
        assert result.returncode == 1
        assert "AttributeError: 'ADict' object has no attribute 'lrr'. Did you mean: 'lr'?" in result.stderr

    def test_hooked_nodes_raise_config_key_error(self) -> None:
        """Auto and tracked ADicts report a miss as ConfigKeyError with a suggestion."""
        tracked = ADict(lr=0.1, epochs=3).track_access()
        with pytest.raises(ConfigKeyError) as err:
            _ = tracked.lrr
        assert isinstance(err.value, AttributeError)
        assert isinstance(err.value, ConfigError)
        assert err.value.key == "lrr"
        assert err.value.suggestion == "'lr'"
        frozen_auto = ADict.auto()
        frozen_auto.lr = 0.1
        frozen_auto.freeze()
        with pytest.raises(ConfigKeyError):
            _ = frozen_auto.lrr

    def test_missing_item_is_key_error(self) -> None:
        """Item access on a missing key raises KeyError like a dict."""
        with pytest.raises(KeyError):
            _ = ADict()["x"]

    def test_keys_named_like_methods_stay_items(self) -> None:
        """Keys such as items/update/keys are reachable by item access; methods still work."""
        cfg = ADict(items=1, update=2, keys=3, get=4, pop=5, copy=6, freeze=7)
        cfg.to_dict = 8
        assert cfg["items"] == 1 and cfg["update"] == 2 and cfg["to_dict"] == 8
        assert list(cfg.keys()) == ["items", "update", "keys", "get", "pop", "copy", "freeze", "to_dict"]
        assert dict(cfg.items())["keys"] == 3
        assert cfg.get("pop") == 5
        cfg.update(extra=1)
        assert cfg["extra"] == 1
        assert callable(cfg.freeze)

    def test_non_identifier_and_non_str_keys(self) -> None:
        """Keys that are no identifiers work by item access and getattr."""
        cfg = ADict({"a b": 1, "x.y": 2, 3: "three"})
        assert cfg["a b"] == 1
        assert getattr(cfg, "x.y") == 2
        assert cfg[3] == "three"

    def test_get_path_reads_dotted_paths(self) -> None:
        """get_path walks nested mappings and names the missing part."""
        cfg = ADict(optim={"lr": 0.1})
        assert cfg.get_path("optim.lr") == 0.1
        assert cfg.get_path("optim.wd", None) is None
        with pytest.raises(ConfigError) as err:
            cfg.get_path("optim.lrr")
        assert err.value.key == "optim.lrr"
        assert err.value.suggestion == "'lr'"

    def test_dir_lists_keys(self) -> None:
        """Keys show up in dir() for tab completion."""
        assert "lr" in dir(ADict(lr=1))


class TestConversion:
    def test_nested_mappings_become_adicts(self) -> None:
        """Mappings at any depth, also inside lists and tuples, become ADicts."""
        cfg = ADict(model={"layers": [{"kind": "conv"}, ({"kind": "fc"},)]})
        assert isinstance(cfg.model, ADict)
        assert isinstance(cfg.model.layers[0], ADict)
        assert cfg.model.layers[0].kind == "conv"
        assert isinstance(cfg.model.layers[1], tuple)
        assert cfg.model.layers[1][0].kind == "fc"

    def test_assignment_converts(self) -> None:
        """Assigning a dict by attribute or item converts it."""
        cfg = ADict()
        cfg.a = {"b": {"c": 1}}
        cfg["d"] = [{"e": 2}]
        assert cfg.a.b.c == 1 and cfg.d[0].e == 2

    def test_lists_without_mappings_keep_identity(self) -> None:
        """A list of leaves is stored as is, so the caller's list is the config's list."""
        layers = [64, 128]
        cfg = ADict(layers=layers)
        assert cfg.layers is layers

    def test_to_dict_is_plain(self) -> None:
        """to_dict returns plain dicts all the way down."""
        plain = ADict(a={"b": [{"c": 1}]}).to_dict()
        assert type(plain) is dict and type(plain["a"]) is dict and type(plain["a"]["b"][0]) is dict

    def test_multiple_positional_mappings(self) -> None:
        """Positional mappings and pairs merge left to right, then keywords."""
        cfg = ADict({"a": 1, "b": 1}, [("b", 2)], c=3)
        assert cfg == {"a": 1, "b": 2, "c": 3}


class TestAuto:
    def test_auto_creates_nested_levels(self) -> None:
        """ADict.auto() creates missing levels on attribute and item access."""
        cfg = ADict.auto()
        cfg.model.backbone.layers = [64, 128, 256]
        cfg["data"]["augmentation"].brightness = 0.2
        assert cfg.to_dict() == {
            "model": {"backbone": {"layers": [64, 128, 256]}},
            "data": {"augmentation": {"brightness": 0.2}},
        }

    def test_auto_propagates_into_assigned_mappings(self) -> None:
        """A dict assigned into an auto ADict is itself auto at any depth."""
        cfg = ADict.auto()
        cfg.model = {"a": 1}
        cfg.model.deep.er = 2
        assert cfg.model.deep.er == 2

    def test_auto_skips_private_names(self) -> None:
        """Underscore names are not created, so introspection probes leave no keys."""
        cfg = ADict.auto()
        assert not hasattr(cfg, "_repr_html_")
        assert cfg == {}

    def test_set_default_copies_value(self) -> None:
        """set_default hands out a fresh copy per missing key."""
        cfg = ADict()
        cfg.set_default([])
        cfg["a"].append(1)
        assert cfg["b"] == []
        cfg.remove_default()
        with pytest.raises(KeyError):
            _ = cfg["c"]
        with pytest.raises(ConfigError):
            cfg.get_default()


class TestMerge:
    def test_update_replaces_by_default(self) -> None:
        """Without recurrent, update replaces nested mappings like dict.update."""
        cfg = ADict(model={"depth": 50, "width": 64})
        cfg.update(model={"depth": 101})
        assert cfg.model == {"depth": 101}

    def test_update_recurrent_merges(self) -> None:
        """recurrent=True merges mapping into mapping and replaces everything else."""
        cfg = ADict(model={"depth": 50, "width": 64}, lr=0.1)
        result = cfg.update({"model": {"depth": 101}, "lr": {"base": 0.1}}, recurrent=True)
        assert result is cfg
        assert cfg == {"model": {"depth": 101, "width": 64}, "lr": {"base": 0.1}}

    def test_recurrent_merge_does_not_share_structure(self) -> None:
        """Writes to the merged result never reach the merged-in source."""
        source = ADict(model={"depth": 50, "layers": [1]})
        target = ADict()
        target.update(source, recurrent=True)
        target.model.depth = 101
        target.model.layers.append(2)
        assert source.model == {"depth": 50, "layers": [1]}

    def test_update_if_absent_keeps_present_values(self) -> None:
        """update_if_absent only adds missing keys, recursing into shared mappings."""
        cfg = ADict(lr=0.1, model={"depth": 50})
        cfg.update_if_absent(lr=0.01, scheduler="cosine", model={"depth": 18, "width": 64})
        assert cfg == {"lr": 0.1, "scheduler": "cosine", "model": {"depth": 50, "width": 64}}

    def test_update_if_absent_not_recurrent(self) -> None:
        """recurrent=False leaves a present mapping alone."""
        cfg = ADict(model={"depth": 50})
        cfg.update_if_absent({"model": {"width": 64}}, recurrent=False)
        assert cfg.model == {"depth": 50}

    def test_or_operators(self) -> None:
        """| returns a new ADict, |= updates in place."""
        cfg = ADict(a=1)
        merged = cfg | {"b": {"c": 2}}
        assert isinstance(merged, ADict) and merged.b.c == 2 and "b" not in cfg
        assert isinstance({"z": 0} | cfg, ADict)
        cfg |= {"d": 4}
        assert cfg.d == 4


class TestFreeze:
    def test_frozen_rejects_every_write(self) -> None:
        """Every mutator of a frozen tree raises ConfigError naming the key."""
        cfg = ADict(lr=0.1, model={"depth": 50}, layers=[{"k": 1}]).freeze()
        writes = [
            lambda: setattr(cfg, "lr", 1),
            lambda: cfg.__setitem__("lr", 1),
            lambda: setattr(cfg.model, "depth", 1),
            lambda: setattr(cfg.layers[0], "k", 2),
            lambda: delattr(cfg, "lr"),
            lambda: cfg.pop("lr"),
            cfg.popitem,
            cfg.clear,
            lambda: cfg.update(lr=1),
            lambda: cfg.update_if_absent(new=1),
            lambda: cfg.setdefault("new", 1),
            lambda: cfg.filter(lambda k, v: False),
            lambda: cfg.replace_keys(["lr"], ["rate"]),
        ]
        for write in writes:
            with pytest.raises(ConfigError, match="frozen"):
                write()
        assert cfg.to_dict() == {"lr": 0.1, "model": {"depth": 50}, "layers": [{"k": 1}]}
        with pytest.raises(ConfigError) as err:
            cfg.lr = 2
        assert err.value.key == "lr"

    def test_frozen_auto_does_not_create(self) -> None:
        """A frozen auto ADict raises on missing keys instead of creating them."""
        cfg = ADict.auto().freeze()
        with pytest.raises(AttributeError):
            _ = cfg.missing

    def test_defrost_allows_writes(self) -> None:
        """defrost() thaws the whole tree."""
        cfg = ADict(model={"depth": 50}).freeze().defrost()
        cfg.model.depth = 101
        assert not cfg.frozen and cfg.model.depth == 101

    def test_reads_still_work_when_frozen(self) -> None:
        """Freezing keeps attribute reads on the fast path."""
        cfg = ADict(lr=0.1).freeze()
        assert cfg.lr == 0.1 and cfg.frozen


class TestTracking:
    def test_accessed_keys_and_minimal_config(self) -> None:
        """After track_access, reads are recorded and get_minimal_config keeps them."""
        cfg = ADict(lr=0.1, epochs=3, model={"depth": 50, "width": 64}).track_access()
        _ = cfg.lr
        _ = cfg["model"]["depth"]
        assert cfg.accessed_keys == {"lr", "model"}
        assert cfg.get_minimal_config() == {"lr": 0.1, "model": {"depth": 50}}

    def test_tracking_off_by_default_and_switchable(self) -> None:
        """Nothing is recorded until asked; turning tracking off restores attribute reads."""
        cfg = ADict(lr=0.1)
        _ = cfg.lr
        assert cfg.accessed_keys == frozenset()
        cfg.track_access()
        _ = cfg.get("lr")
        assert cfg.accessed_keys == {"lr"}
        cfg.track_access(False)
        assert type(cfg) is ADict and cfg.lr == 0.1 and cfg.accessed_keys == frozenset()

    def test_tracking_survives_new_children(self) -> None:
        """Mappings assigned after tracking starts are tracked too."""
        cfg = ADict().track_access()
        cfg.model = {"depth": 50}
        _ = cfg.model.depth
        assert cfg.get_minimal_config() == {"model": {"depth": 50}}


class TestEditing:
    def test_filter_in_place(self) -> None:
        """filter keeps items for which the predicate holds."""
        cfg = ADict(a=1, b=2, c=3).filter(lambda k, v: v % 2 == 1)
        assert cfg == {"a": 1, "c": 3}
        assert not hasattr(cfg, "b")

    def test_replace_keys(self) -> None:
        """replace_keys renames keys and keeps values; mismatches are ConfigErrors."""
        cfg = ADict(a=1, b=2)
        cfg.replace_keys(["a", "b"], ["x", "y"])
        assert cfg == {"x": 1, "y": 2} and cfg.x == 1 and not hasattr(cfg, "a")
        with pytest.raises(ConfigError):
            cfg.replace_keys(["x"], ["p", "q"])
        with pytest.raises(ConfigError) as err:
            cfg.replace_keys(["xx", "zz"], ["p", "q"])
        assert [p.key for p in err.value.problems] == ["xx", "zz"]
        assert err.value.suggestion == "'x'"

    def test_delete_and_pop_update_attribute_view(self) -> None:
        """Removed keys vanish from attribute access as well."""
        cfg = ADict(a=1, b=2, c=3)
        del cfg.a
        assert cfg.pop("b") == 2
        assert not hasattr(cfg, "a") and not hasattr(cfg, "b")
        with pytest.raises(AttributeError):
            del cfg.zz
        cfg.clear()
        assert not hasattr(cfg, "c")


class TestStructuralHash:
    def test_spec_example(self) -> None:
        """Same structure, different values: same hash; a changed type: different hash."""
        one = ADict(lr=0.1, epochs=100, model="resnet50")
        two = ADict(lr=0.01, epochs=200, model="resnet101")
        three = ADict(lr=0.1, epochs="100", model="resnet50")
        assert one.get_structural_hash() == two.get_structural_hash()
        assert one.get_structural_hash() != three.get_structural_hash()

    def test_matches_the_2x_recipe(self) -> None:
        """The hash is SHA-1 over sorted [path:typename] pieces, as ato 2.x computes it."""
        cfg = ADict(b={"y": [1], "x": None}, a=1.5)
        text = "[a:float][b.x:NoneType][b.y:list]"
        assert cfg.get_structural_hash() == hashlib.sha1(text.encode()).hexdigest()

    def test_known_2x_value(self) -> None:
        """A hash computed by ato 2.2.1 for the same config is reproduced exactly."""
        cfg = ADict(a=1, b=ADict(c=[1, "x", {"q": None}], d={}, e=[]), f=2.5, g="hi there",
                    h=True, n=-3, neg=-1.5)
        assert cfg.get_structural_hash() == "b8e618ca5fb31d3c64bb1879a963f550633583d6"


class TestCopying:
    def test_pickle_round_trip_keeps_state(self) -> None:
        """Pickling keeps items, nesting, frozen state and auto defaults."""
        cfg = ADict(a={"b": [{"c": 1}]}, items=2).freeze()
        back = pickle.loads(pickle.dumps(cfg))
        assert back == cfg and back.frozen and back.a.b[0].c == 1 and back["items"] == 2
        auto = pickle.loads(pickle.dumps(ADict.auto()))
        auto.x.y = 1
        assert auto == {"x": {"y": 1}}

    def test_deepcopy_and_clone_are_independent(self) -> None:
        """clone/deepcopy share nothing with the original."""
        cfg = ADict(model={"layers": [1, 2]})
        for dup in (cfg.clone(), copy.deepcopy(cfg)):
            dup.model.layers.append(3)
            dup.model.depth = 1
        assert cfg == {"model": {"layers": [1, 2]}}

    def test_shallow_copy_shares_children(self) -> None:
        """copy() and copy.copy() are shallow, like dict.copy, but return ADicts."""
        cfg = ADict(model={"depth": 1})
        for dup in (cfg.copy(), copy.copy(cfg)):
            assert isinstance(dup, ADict) and dup.model is cfg.model

    def test_self_reference_deepcopies(self) -> None:
        """A config that contains itself can still be deep-copied and frozen."""
        cfg = ADict(a=1)
        cfg["me"] = cfg
        dup = copy.deepcopy(cfg)
        assert dup["me"] is dup
        cfg.freeze()
        assert cfg.frozen

    def test_fromkeys_and_json(self) -> None:
        """fromkeys builds an ADict; json() serialises the tree."""
        cfg = ADict.fromkeys(["a", "b"], {"x": 1})
        assert isinstance(cfg.a, ADict)
        assert ADict(a=[1, {"b": None}]).json() == '{"a": [1, {"b": null}]}'


class TestFiles:
    def test_from_file_load_and_dump(self, tmp_path: object) -> None:
        """dump then from_file round-trips; load deep-merges into an existing config."""
        from pathlib import Path

        base = Path(str(tmp_path))
        ADict(model={"depth": 50, "width": 64}).dump(base / "model.yaml")
        ADict(model={"depth": 101}, lr=0.1).dump(base / "exp.json")
        cfg = ADict.from_file(base / "model.yaml")
        assert cfg == {"model": {"depth": 50, "width": 64}} and isinstance(cfg.model, ADict)
        cfg.load(base / "exp.json")
        assert cfg == {"model": {"depth": 101, "width": 64}, "lr": 0.1}

    def test_spec_format_example(self, tmp_path: object) -> None:
        """The spec's from_file / dump / update_if_absent example works."""
        from pathlib import Path

        base = Path(str(tmp_path))
        (base / "config.json").write_text('{"lr": 0.1, "model": "resnet50"}')
        config = ADict.from_file(base / "config.json")
        config.dump(base / "config.yaml")
        config.update_if_absent(lr=0.01, scheduler="cosine")
        assert config == {"lr": 0.1, "model": "resnet50", "scheduler": "cosine"}
        assert ADict.from_file(base / "config.yaml") == {"lr": 0.1, "model": "resnet50"}


class _Subclassed(ADict):
    """A user's ADict subclass, to check that every path keeps it."""


class TestSubclass:
    def test_every_insertion_path_keeps_the_subclass(self) -> None:
        """Children made by construction, assignment, merges, copies and minimal configs keep the subclass."""
        cfg = _Subclassed(a={"b": 1})
        cfg.c = {"d": 2}
        cfg.update({"e": {"f": 3}, "a": {"g": 4}}, recurrent=True)
        cfg.update_if_absent({"h": {"i": 5}})
        cfg.update({"j": [{"k": 6}]}, recurrent=True)
        children = [cfg.a, cfg.c, cfg.e, cfg.h, cfg.j[0], cfg.clone().e, copy.copy(cfg).e]
        assert all(type(child) is _Subclassed for child in children), [type(c) for c in children]
        cfg.track_access()
        assert cfg.e.f == 3
        minimal = cfg.get_minimal_config()
        assert type(minimal) is _Subclassed and type(minimal.e) is _Subclassed
        assert minimal == {"e": {"f": 3}}

    def test_subclass_survives_pickle_and_auto(self) -> None:
        """Pickling and auto mode name the user's class, never an internal twin."""
        auto = _Subclassed.auto()
        auto.x.y = 1
        assert type(auto.x).__name__ == "_Subclassed" and isinstance(auto.x, _Subclassed)
        back = pickle.loads(pickle.dumps(_Subclassed(a={"b": 1})))
        assert type(back) is _Subclassed and type(back.a) is _Subclassed


class TestAttach:
    def test_attach_records_schema_and_origin(self) -> None:
        """attach() stores a schema (used by the hash) and per-leaf sources; left-out arguments are kept."""
        from pydantic import BaseModel

        from ato.adict import origin_of
        from ato.schema import schema_hash

        class Model(BaseModel):
            lr: float = 0.1

        cfg = ADict(lr=0.5)
        untyped = cfg.get_structural_hash()
        assert cfg.attach(origin={"lr": "a.yaml:1"}) is cfg
        assert origin_of(cfg) == {"lr": "a.yaml:1"} and cfg.get_structural_hash() == untyped
        cfg.attach(schema=Model)
        assert cfg.get_structural_hash() == schema_hash(Model)
        assert origin_of(cfg) == {"lr": "a.yaml:1"}
        assert origin_of(cfg.clone()) == {"lr": "a.yaml:1"}
        cfg.attach(schema=None, origin=None)
        assert cfg.get_structural_hash() == untyped and origin_of(cfg) == {}


def test_json_keeps_its_2x_leniency() -> None:
    """ADict.json writes non-str keys as text and hands odd values to json's `default=`."""
    assert ADict({1: 2}).json() == '{"1": 2}'
    assert ADict(a=object()).json(default=lambda v: "obj") == '{"a": "obj"}'
