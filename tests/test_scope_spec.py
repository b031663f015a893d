"""Every Scope example of the ato 2.x READMEs, run as a program with real command lines."""

from __future__ import annotations

from conftest import Runner

HEAD = "from ato.scope import Scope\nfrom ato.adict import ADict\nscope = Scope()\n"


def ok(run_program: Runner, source: str, *args: str) -> str:
    result = run_program(source, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


QUICK = HEAD + """
@scope.observe(default=True)
def config(cfg):
    cfg.lr = 0.001
    cfg.batch_size = 32
    cfg.model = 'resnet50'

@scope
def train(cfg):
    print(f"Training {cfg.model} with lr={cfg.lr}")

if __name__ == '__main__':
    train()
"""


def test_quick_start_default(run_program: Runner) -> None:
    """The 30-second example prints its defaults."""
    assert ok(run_program, QUICK) == "Training resnet50 with lr=0.001\n"


def test_quick_start_overrides(run_program: Runner) -> None:
    """`lr=0.01 model=%resnet101%` overrides both values."""
    assert ok(run_program, QUICK, "lr=0.01", "model=%resnet101%") == "Training resnet101 with lr=0.01\n"


def test_quick_start_config_parameter_name(run_program: Runner) -> None:
    """The variant whose function parameter is named `config` gets it by name."""
    source = QUICK.replace("def train(cfg)", "def train(config)").replace("{cfg.", "{config.")
    assert ok(run_program, source, "lr=0.5") == "Training resnet50 with lr=0.5\n"


SIMPLE = HEAD + """
@scope.observe()
def my_config(config):
    config.dataset = 'cifar10'
    config.lr = 0.001
    config.batch_size = 32

@scope
def train(config):
    print(f"Training on {config.dataset}", config.lr, config.batch_size)

if __name__ == '__main__':
    train()
"""


def test_named_view_from_command_line(run_program: Runner) -> None:
    """A non-default view runs when named; CLI values still win."""
    out = ok(run_program, SIMPLE, "my_config", "lr=0.001", "batch_size=128")
    assert out == "Training on cifar10 0.001 128\n"


PRIORITY = HEAD + """
@scope.observe(default=True)
def defaults(cfg):
    cfg.lr = 0.001
    cfg.epochs = 100

@scope.observe(priority=1)
def high_lr(cfg):
    cfg.lr = 0.01

@scope.observe(priority=2)
def long_training(cfg):
    cfg.epochs = 300

@scope
def train(cfg):
    print(f"lr={cfg.lr}, epochs={cfg.epochs}")

if __name__ == '__main__':
    train()
"""


def test_priority_examples(run_program: Runner) -> None:
    """The three priority runs of the spec give the values it lists."""
    assert ok(run_program, PRIORITY) == "lr=0.001, epochs=100\n"
    assert ok(run_program, PRIORITY, "high_lr") == "lr=0.01, epochs=100\n"
    assert ok(run_program, PRIORITY, "high_lr", "long_training") == "lr=0.01, epochs=300\n"
    assert ok(run_program, PRIORITY, "long_training", "high_lr") == "lr=0.01, epochs=300\n"


CLI = HEAD + """
@scope.observe(default=True)
def defaults(config):
    config.lr = 0.1
    config.model.backbone = 'resnet50'

@scope
def train(config):
    print(config.to_dict())

if __name__ == '__main__':
    train()
"""


def test_cli_value_forms(run_program: Runner) -> None:
    """Numbers, %strings%, nested keys, lists: the spec's CLI lines."""
    out = ok(run_program, CLI, "lr=0.01", "batch_size=64")
    assert out == "{'lr': 0.01, 'model': {'backbone': 'resnet50'}, 'batch_size': 64}\n"
    out = ok(run_program, CLI, "model.backbone=%resnet101%", "model.depth=101")
    assert out == "{'lr': 0.1, 'model': {'backbone': 'resnet101', 'depth': 101}}\n"
    out = ok(run_program, CLI, "layers=[64,128,256,512]", "dropout=0.5")
    assert out == (
        "{'lr': 0.1, 'model': {'backbone': 'resnet50'}, 'layers': [64, 128, 256, 512], 'dropout': 0.5}\n"
    )


CHAIN = HEAD + """
@scope.observe()
def base_setup(config):
    config.project_name = 'my_project'
    config.data_dir = '/data'

@scope.observe()
def gpu_setup(config):
    config.device = 'cuda'
    config.num_gpus = 4

@scope.observe(chain_with='base_setup')
def advanced_training(config):
    config.distributed = True
    config.mixed_precision = True

@scope.observe(chain_with=['base_setup', 'gpu_setup'])
def multi_node_training(config):
    config.nodes = 4
    config.world_size = 16

@scope
def train(config):
    print(list(config))
    print(' -> '.join(scope.steps))

if __name__ == '__main__':
    train()
"""


def test_chain_with_string(run_program: Runner) -> None:
    """Naming a view applies its chain_with prerequisite first."""
    out = ok(run_program, CHAIN, "advanced_training").splitlines()
    assert out[0] == "['project_name', 'data_dir', 'distributed', 'mixed_precision']"
    assert out[1] == "base_setup -> advanced_training -> (CLI Inputs)"


def test_chain_with_list(run_program: Runner) -> None:
    """A list of prerequisites is applied in order before the view."""
    out = ok(run_program, CHAIN, "multi_node_training").splitlines()
    assert out[1] == "base_setup -> gpu_setup -> multi_node_training -> (CLI Inputs)"
    assert out[0] == (
        "['project_name', 'data_dir', 'device', 'num_gpus', 'nodes', 'world_size']"
    )


LAZY = HEAD + """
@scope.observe(default=True)
def base_config(cfg):
    cfg.model = 'resnet50'
    cfg.dataset = 'imagenet'

@scope.observe(lazy=True)
def computed_config(cfg):
    if cfg.dataset == 'imagenet':
        cfg.num_classes = 1000
        cfg.image_size = 224
    elif cfg.dataset == 'cifar10':
        cfg.num_classes = 10
        cfg.image_size = 32

@scope
def train(cfg):
    print(cfg.num_classes, cfg.image_size)

if __name__ == '__main__':
    train()
"""


def test_lazy_view_sees_cli_values(run_program: Runner) -> None:
    """A lazy view runs after the command line: dataset=%cifar10% gives 10 classes."""
    assert ok(run_program, LAZY, "dataset=%cifar10%", "computed_config") == "10 32\n"
    assert ok(run_program, LAZY, "computed_config") == "1000 224\n"


LAZY_BLOCK = HEAD + """
@scope.observe(default=True)
def my_config(cfg):
    cfg.model = 'resnet50'
    cfg.num_layers = 50

    with Scope.lazy():
        if cfg.model == 'resnet101':
            cfg.num_layers = 101

@scope
def train(cfg):
    print(cfg.model, cfg.num_layers)

if __name__ == '__main__':
    train()
"""


def test_lazy_block_sees_cli_values(run_program: Runner) -> None:
    """`with Scope.lazy():` runs after the CLI: model=resnet101 gives 101 layers."""
    assert ok(run_program, LAZY_BLOCK) == "resnet50 50\n"
    assert ok(run_program, LAZY_BLOCK, "model=%resnet101%") == "resnet101 101\n"
    assert ok(run_program, LAZY_BLOCK, "model=resnet101", "num_layers=7") == "resnet101 101\n"


MULTI = """
from ato.scope import Scope, MultiScope

model_scope = Scope(name='model')
data_scope = Scope(name='data')
scope = MultiScope(model_scope, data_scope)

@model_scope.observe(default=True)
def model_config(model):
    model.backbone = 'resnet50'
    model.lr = 0.1

@model_scope.observe(priority=1)
def resnet101(model):
    model.backbone = 'resnet101'
    model.lr = 0.05

@data_scope.observe(default=True)
def data_config(data):
    data.dataset = 'cifar10'
    data.lr = 0.001

@data_scope.observe(priority=1)
def imagenet(data):
    data.dataset = 'imagenet'
    data.workers = 16

@scope
def train(model, data):
    print(f"Model LR: {model.lr}, Data LR: {data.lr}")
    print(f"Training {model.backbone} on {data.dataset}")

if __name__ == '__main__':
    train()
"""


def test_multiscope_namespaces(run_program: Runner) -> None:
    """Two scopes keep their own `lr`; CLI keys route by scope name."""
    assert ok(run_program, MULTI) == "Model LR: 0.1, Data LR: 0.001\nTraining resnet50 on cifar10\n"
    out = ok(run_program, MULTI, "model.backbone=%resnet101%", "data.dataset=%imagenet%")
    assert out.splitlines()[1] == "Training resnet101 on imagenet"
    out = ok(run_program, MULTI, "data.lr=0.5")
    assert out.splitlines()[0] == "Model LR: 0.1, Data LR: 0.5"


def test_multiscope_named_views(run_program: Runner) -> None:
    """`resnet101 imagenet` selects a view in each scope."""
    out = ok(run_program, MULTI, "resnet101", "imagenet")
    assert out == "Model LR: 0.05, Data LR: 0.001\nTraining resnet101 on imagenet\n"
    assert ok(run_program, MULTI, "model.resnet101").splitlines()[1] == "Training resnet101 on cifar10"


MANUAL = HEAD + """
@scope.observe(default=True)
def config(config):
    config.lr = 0.001
    config.batch_size = 32
    config.model = 'resnet50'

@scope.manual
def config_docs(config):
    config.lr = 'Learning rate for optimizer'
    config.batch_size = 'Number of samples per batch'
    config.model = 'Model architecture (resnet50, resnet101, etc.)'

@scope
def train(config):
    print('ran')

if __name__ == '__main__':
    train()
"""

MANUAL_OUT = """\
--------------------------------------------------
[Scope "config"]
(The Applying Order of Views)
config → (CLI Inputs)

(User Manuals)
lr: Learning rate for optimizer
batch_size: Number of samples per batch
model: Model architecture (resnet50, resnet101, etc.)
--------------------------------------------------
"""


def test_manual_output(run_program: Runner) -> None:
    """`manual`, `-h` and `--help` print the spec's manual and do not run the function."""
    for word in ("manual", "-h", "--help"):
        assert ok(run_program, MANUAL, word) == MANUAL_OUT


ORDER = HEAD + """
@scope.observe(default=True)
def defaults(cfg):
    cfg.lr = 0.001
    cfg.batch_size = 128

@scope.observe(priority=1)
def experiment_config(cfg):
    cfg.lr = 0.01

@scope.observe(priority=2)
def another_config(cfg):
    cfg.lr = 0.1

@scope.observe(lazy=True)
def adaptive_lr(cfg):
    if cfg.batch_size > 64:
        cfg.lr = cfg.lr * 2

@scope
def train(cfg):
    print(cfg.lr)

if __name__ == '__main__':
    train()
"""


def test_manual_applying_order(run_program: Runner) -> None:
    """The complex example's applying order is the spec's line once its views are selected.

    ato 2.x listed every view in `manual`; ato 3 lists the order of the views the command
    line selects (what a run with those tokens applies) and names the others apart.
    """
    out = ok(run_program, ORDER, "manual", "experiment_config", "another_config", "adaptive_lr")
    assert "defaults → experiment_config → another_config → (CLI Inputs) → adaptive_lr\n" in out
    assert "other views" not in out
    out = ok(run_program, ORDER, "manual")
    assert (
        "(The Applying Order of Views)\ndefaults → (CLI Inputs)\n"
        "other views, selected by name: experiment_config (priority 1), another_config (priority 2), "
        "adaptive_lr (lazy)\n"
    ) in out
    assert ok(run_program, ORDER, "experiment_config", "another_config", "adaptive_lr") == "0.2\n"


MULTI_MANUAL = """
from ato.scope import Scope, MultiScope

model_scope = Scope(name='model')
train_scope = Scope(name='train')
scope = MultiScope(model_scope, train_scope)

@model_scope.observe(default=True)
def model_defaults(model):
    model.backbone = 'resnet50'
    model.num_layers = 50

@model_scope.observe(priority=1)
def model_advanced(model):
    model.pretrained = True

@model_scope.observe(lazy=True)
def model_lazy(model):
    if model.backbone == 'resnet101':
        model.num_layers = 101

@train_scope.observe(default=True)
def train_defaults(train):
    train.lr = 0.001
    train.epochs = 100

@model_scope.manual
def model_docs(model):
    model.backbone = 'Model backbone architecture'
    model.num_layers = 'Number of layers in the model'

@train_scope.manual
def train_docs(train):
    train.lr = 'Learning rate for optimizer'
    train.epochs = 'Total training epochs'

@scope
def main(model, train):
    print(f"Training {model.backbone} with lr={train.lr}")

if __name__ == '__main__':
    main()
"""


def test_multiscope_manual(run_program: Runner) -> None:
    """Each scope gets its own section, keys prefixed with the scope name."""
    out = ok(run_program, MULTI_MANUAL, "manual")
    assert out == (
        "--------------------------------------------------\n"
        '[Scope "model"]\n'
        "(The Applying Order of Views)\n"
        "model_defaults → (CLI Inputs)\n"
        "other views, selected by name: model_advanced (priority 1), model_lazy (lazy)\n"
        "\n(User Manuals)\n"
        "model.backbone: Model backbone architecture\n"
        "model.num_layers: Number of layers in the model\n"
        "--------------------------------------------------\n"
        '[Scope "train"]\n'
        "(The Applying Order of Views)\n"
        "train_defaults → (CLI Inputs)\n"
        "\n(User Manuals)\n"
        "train.lr: Learning rate for optimizer\n"
        "train.epochs: Total training epochs\n"
        "--------------------------------------------------\n"
    )
    assert ok(run_program, MULTI_MANUAL) == "Training resnet50 with lr=0.001\n"
    selected = ok(run_program, MULTI_MANUAL, "manual", "model_advanced", "model_lazy")
    assert "model_defaults → model_advanced → (CLI Inputs) → model_lazy\n" in selected


ARGPARSE = """
from ato.scope import Scope
import argparse

scope = Scope(use_external_parser=True)
parser = argparse.ArgumentParser()
parser.add_argument('--gpu', type=int, default=0)
parser.add_argument('--seed', type=int, default=42)

@scope.observe(default=True)
def config(cfg):
    cfg.lr = 0.001
    cfg.batch_size = 32

@scope
def train(cfg):
    print(f"GPU: {cfg.gpu}, LR: {cfg.lr}, seed: {cfg.seed}")

if __name__ == '__main__':
    parser.parse_args()
    train()
"""


def test_argparse_bridge(run_program: Runner) -> None:
    """argparse options and ato tokens share one command line."""
    assert ok(run_program, ARGPARSE) == "GPU: 0, LR: 0.001, seed: 42\n"
    assert ok(run_program, ARGPARSE, "--gpu", "1", "lr=0.01") == "GPU: 1, LR: 0.01, seed: 42\n"


def test_argparse_rejects_unknown_option(run_program: Runner) -> None:
    """An option argparse does not know is argparse's usage error (exit 2)."""
    result = run_program(ARGPARSE, "--gpus", "1")
    assert result.returncode == 2
    assert "unrecognized arguments: --gpus" in result.stderr


def test_argparse_manual(run_program: Runner) -> None:
    """`-h` prints the parser's help and then ato's manual."""
    out = ok(run_program, ARGPARSE, "-h")
    assert "--gpu GPU" in out
    assert "(argparse defaults) → config → (CLI Inputs)" in out


MAPPING = HEAD + """
scope.observe('baseline', {'lr': 0.1, 'model': {'depth': 50}}, default=True)
scope.observe('deep', {'model': {'depth': 101}})

@scope
def train(cfg):
    print(cfg.to_dict())

if __name__ == '__main__':
    train()
"""


def test_mapping_views(run_program: Runner) -> None:
    """Observing a mapping instead of a function merges it like a view."""
    assert ok(run_program, MAPPING) == "{'lr': 0.1, 'model': {'depth': 50}}\n"
    assert ok(run_program, MAPPING, "deep") == "{'lr': 0.1, 'model': {'depth': 101}}\n"


AUTO = HEAD + """
@scope.observe(default=True)
def config(cfg):
    cfg.training.optimizer.name = 'AdamW'
    cfg.training.optimizer.lr = 0.001
    cfg.model.encoder.num_layers = 12
    if cfg.use_amp:
        cfg.amp_level = 'O2'

@scope
def train(cfg):
    print(cfg.to_dict())

if __name__ == '__main__':
    train()
"""


def test_auto_nesting_in_views(run_program: Runner) -> None:
    """Views write nested keys without set-up; a key only read leaves no trace."""
    out = ok(run_program, AUTO, "model.encoder.num_layers=24")
    assert out == (
        "{'training': {'optimizer': {'name': 'AdamW', 'lr': 0.001}}, "
        "'model': {'encoder': {'num_layers': 24}}}\n"
    )


ARGPARSE_WITH_LIBRARY = """
import argparse
from ato.scope import Scope

original = argparse.ArgumentParser.parse_args
scope = Scope(use_external_parser=True)
parser = argparse.ArgumentParser()
parser.add_argument('--gpus', type=int, default=1)

@scope
def train(cfg):
    # A library that builds its own parser inside the run, as many do.
    argparse.ArgumentParser().parse_args([])
    print(f"gpus={cfg.gpus} lr={cfg.lr}")
    print("argparse restored:", argparse.ArgumentParser.parse_args is original)

if __name__ == '__main__':
    library = argparse.ArgumentParser()
    library.add_argument('--workers', type=int, default=3)
    assert library.parse_args(['--workers', '5']).workers == 5  # its own list: untouched
    parser.parse_args()
    train()
"""


def test_argparse_bridge_leaves_no_patch_and_ignores_other_parsers(run_program: Runner) -> None:
    """Parsers given their own tokens are never captured; argparse is unpatched once the config is built."""
    assert ok(run_program, ARGPARSE_WITH_LIBRARY, "--gpus", "4", "lr=0.1") == (
        "gpus=4 lr=0.1\nargparse restored: True\n"
    )


def test_argparse_bridge_reset_restores_argparse() -> None:
    """_argparse.reset() unpatches argparse and forgets the registered scopes and captures."""
    import argparse

    from ato.scope import Scope, _argparse

    original = argparse.ArgumentParser.parse_args
    scope = Scope(use_external_parser=True)
    assert _argparse.installed() and _argparse.scopes() == [scope]
    _argparse.reset()
    assert argparse.ArgumentParser.parse_args is original
    assert not _argparse.installed() and _argparse.scopes() == [] and _argparse.captured() is None
