"""How a sweep's configs are split into groups that train stacked (core.grid.stack_groups)."""

from core.config import RunConfig
from core.grid import can_stack, stack_groups
from core.sweep import sweep_configs


def test_groups_can_stack_are_bounded_and_cover_every_config_once() -> None:
    configs = sweep_configs({"epochs": 10}, {"seed": list(range(20)), "learning_rate": [0.1, 0.2]})
    groups = stack_groups(configs, max_size=16, parts=2)
    assert sorted(i for group in groups for i in group) == list(range(40))
    assert len(groups) == 3 and all(len(group) <= 16 for group in groups)  # 40 nets: 14 + 13 + 13
    assert all(can_stack([configs[i] for i in group]) for group in groups)


def test_a_small_sweep_is_split_for_the_workers_to_share() -> None:
    configs = sweep_configs({"preset": "init-he"}, {"initialization": ["zeros", "random", "he"], "seed": [1, 2, 3]})
    groups = stack_groups(configs, max_size=16, parts=2)
    assert sorted(map(len, groups)) == [4, 5]
    assert stack_groups(configs[:3], max_size=16, parts=2) == [[0, 1, 2]]  # too few to split: one group


def test_configs_that_cannot_stack_go_apart() -> None:
    configs = [
        RunConfig(hidden_layers=[4]),
        RunConfig(hidden_layers=[5]),
        RunConfig(hidden_layers=[4], learning_rate=0.1),
        RunConfig(mini_batch_size=64, keep_prob=0.5),  # fresh masks from its own stream: alone
        RunConfig(mini_batch_size=64, keep_prob=0.5, learning_rate=0.1),
    ]
    assert sorted(stack_groups(configs, max_size=16)) == [[0, 2], [1], [3], [4]]
