"""The names ``import storywire`` promises."""

import types

import storywire


def test_all_is_sorted_and_exists():
    assert storywire.__all__ == sorted(storywire.__all__)
    assert len(set(storywire.__all__)) == len(storywire.__all__)
    missing = [n for n in storywire.__all__ if not hasattr(storywire, n)]
    assert not missing


def test_every_public_name_is_exported():
    public = {
        name
        for name, value in vars(storywire).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(storywire.__all__), sorted(public - set(storywire.__all__))
    assert "__version__" in storywire.__all__


def test_exported_errors_share_one_base():
    errors = [getattr(storywire, n) for n in storywire.__all__ if n.endswith("Error")]
    assert len(errors) >= 7
    assert all(issubclass(e, storywire.StorywireError) for e in errors)
