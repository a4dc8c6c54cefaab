"""The untrusted worker: loads the candidate's file and runs the calls the grading process sends.

Trust is split (grader/remote.py is the other side). The grading process draws the
cases, runs the reference, compares and writes the verdict; this process only executes
candidate code and answers with data: plain dense tensors as raw bytes with their shape
and dtype, numbers, strings, and handles for objects that stay here (a module the
candidate's class built). Nothing it sends is a verdict, and nothing it sends is
unpickled.

It is a standalone script: the grading process copies it into the worker's scratch
folder and runs it from there, so the project's packages (`grader`, `reference`, ...)
are neither on its path nor importable (an import hook refuses them; under bubblewrap
the project folder is not even visible). It imports torch and the standard library only.

The grading process imports the codec (`encode_tensor`, `decode_tensor`, `send`,
`receive`) from this file too: both ends speak exactly the same format.

Frame: 16 bytes (header length, payload length, little-endian u64), a JSON header, then
the payload: the raw bytes of the tensors the header lists under "blobs", in order.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import json
import linecache
import os
import select
import signal
import socket
import struct
import sys
import time
import traceback
import types

PROJECT_PACKAGES = ("grader", "reference", "questions", "quiz", "mock", "cli", "qkv")
TAMPERED = "into the grader's watch on forbidden functions (it changed the watch)"
MAX_HEADER = 64 << 20


# --- the frame codec (shared with the grading process) ------------------------------------

def send(sock: socket.socket, header: dict, blobs: list[bytes] = ()) -> None:
    blobs = list(blobs)
    header = {**header, "blobs": [len(b) for b in blobs]}
    head = json.dumps(header).encode()
    # one write per frame: each write wakes the reader, and a call's frame is mostly small tensors
    sock.sendall(b"".join([struct.pack("<QQ", len(head), sum(map(len, blobs))), head, *blobs]))


class FrameTooLarge(ValueError):
    """A frame longer than the reader accepts (`receive`'s `limit`)."""

    def __init__(self, size: int):
        super().__init__(f"a frame of {size} bytes")
        self.size = size


def _read_exactly(sock: socket.socket, n: int, deadline: float | None = None) -> bytes:
    chunks, left = [], n
    while left:
        if deadline is not None:  # the whole frame by then, however the other end doles it out
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([sock], [], [], wait)[0]:
                raise TimeoutError("no complete frame in time")
        chunk = sock.recv(min(left, 1 << 22))
        if not chunk:
            raise EOFError("the other end closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket, *, deadline: float | None = None,
            limit: int | None = None) -> tuple[dict, list[bytes]]:
    """A frame; `deadline` (time.monotonic()) for all of it, else TimeoutError; `limit`: the most bytes it may
    have, else FrameTooLarge before any of its payload is read (the grading process reads the worker's replies
    with both: a frame it began to send, or one of any length, must not hold it)."""
    head_len, payload_len = struct.unpack("<QQ", _read_exactly(sock, 16, deadline))
    if head_len > MAX_HEADER:
        raise ValueError(f"a frame header of {head_len} bytes")
    if limit is not None and head_len + payload_len > limit:
        raise FrameTooLarge(head_len + payload_len)
    header = json.loads(_read_exactly(sock, head_len, deadline))
    lengths = header.get("blobs", [])
    if not isinstance(lengths, list) or sum(lengths) != payload_len or any(
            not isinstance(n, int) or n < 0 for n in lengths):
        raise ValueError("a frame whose payload does not match its header")
    payload = _read_exactly(sock, payload_len, deadline)
    blobs, start = [], 0
    for n in lengths:
        blobs.append(payload[start:start + n])
        start += n
    return header, blobs


_TENSOR_METHODS: dict = {}


def tensor_methods() -> dict:
    """The tensor methods the codec calls, taken once from torch._C.TensorBase, an immutable C type (the
    worker takes them before any candidate code runs): a patched torch.Tensor.detach or .numpy never
    reaches a reply."""
    if not _TENSOR_METHODS:
        import torch

        base = torch._C.TensorBase
        _TENSOR_METHODS.update((name, getattr(base, name)) for name in (
            "detach", "resolve_conj", "resolve_neg", "contiguous", "cpu", "reshape", "view", "numpy", "numel"))
        _TENSOR_METHODS["uint8"] = torch.uint8
    return _TENSOR_METHODS


def encode_tensor(t, blobs: list[bytes]) -> dict:
    """{"dtype", "shape", "device", "blob"}: the bytes go to `blobs` (none for a meta tensor)."""
    m = tensor_methods()
    t = m["detach"](t)
    spec = {"tensor": True, "dtype": str(t.dtype).removeprefix("torch."), "shape": list(t.shape),
            "device": t.device.type, "blob": None}
    if t.device.type != "meta":
        data = m["reshape"](m["cpu"](m["contiguous"](m["resolve_neg"](m["resolve_conj"](t)))), -1)
        spec["blob"] = len(blobs)
        blobs.append(m["numpy"](m["view"](data, m["uint8"])).tobytes() if m["numel"](data) else b"")
    return spec


def decode_tensor(spec: dict, blobs: list[bytes], device=None):
    """A new plain tensor from `encode_tensor`'s spec, on `device` (default: the spec's device type)."""
    import torch

    dtype = getattr(torch, spec["dtype"], None)
    if not isinstance(dtype, torch.dtype):
        raise ValueError(f"unknown dtype {spec['dtype']!r}")
    shape = tuple(int(n) for n in spec["shape"])
    device = device or spec["device"]
    if spec.get("blob") is None:
        return torch.empty(shape, dtype=dtype, device="meta")
    raw = blobs[spec["blob"]]
    count = 1
    for n in shape:
        count *= n
    if len(raw) != count * dtype.itemsize:
        raise ValueError(f"{len(raw)} bytes for a {dtype} tensor of shape {shape}")
    if count == 0:
        return torch.empty(shape, dtype=dtype, device=device)
    flat = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(dtype)
    return flat.reshape(shape).to(device)


# --- everything below runs in the worker process only --------------------------------------

def parse_entry(entry: str) -> tuple[str, str, int | None]:
    """A forbidden entry as (dotted name, keyword, position): "torch.nn.functional.dropout" ->
    (it, "", None); "...cross_entropy[label_smoothing]" -> forbidden with that keyword only;
    "torch.ops.aten.cross_entropy_loss[label_smoothing@5]" -> also when given as argument 5."""
    dotted, _, spec = entry.rstrip("]").partition("[")
    keyword, _, position = spec.partition("@")
    return dotted, keyword, int(position) if position else None


def _channel(sock: socket.socket):
    """`send` and `receive` for the worker, made of objects bound before any candidate code runs: the socket's
    own C methods, a compiled struct.Struct, the C JSON encoder and scanner. Patching socket.socket.sendall,
    json.dumps or struct.pack afterwards (the candidate's code runs in this process) changes nothing here."""
    import _json

    sendall, recv = sock.sendall, sock.recv
    frame = struct.Struct("<QQ")
    pack, unpack = frame.pack, frame.unpack
    join_bytes, join_text, to_bytes, decode = b"".join, "".join, str.encode, bytes.decode
    length, total, each, smallest, listed = len, sum, map, min, list  # (builtins can be patched too)

    def refuse(value):
        raise TypeError(f"cannot send a {type(value).__name__}")

    encoder = _json.make_encoder(None, refuse, _json.encode_basestring_ascii, None, ": ", ", ", False, False, True)
    scan = json.JSONDecoder().scan_once  # the C scanner (json.loads looks its helpers up at each call)

    def send_(header: dict, blobs=()) -> None:
        blobs = listed(blobs)
        header = {**header, "blobs": [length(b) for b in blobs]}
        head = to_bytes(join_text(encoder(header, 0)))
        sendall(join_bytes([pack(length(head), total(each(length, blobs))), head, *blobs]))

    def read(n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = recv(smallest(left, 1 << 22))
            if not chunk:
                raise EOFError("the other end closed the connection")
            chunks.append(chunk)
            left -= length(chunk)
        return join_bytes(chunks)

    def receive_() -> tuple[dict, list[bytes]]:
        head_len, payload_len = unpack(read(16))
        if head_len > MAX_HEADER:
            raise ValueError(f"a frame header of {head_len} bytes")
        header = scan(decode(read(head_len)), 0)[0]
        lengths = header.get("blobs", [])
        payload, blobs, start = read(payload_len), [], 0
        for n in lengths:
            blobs.append(payload[start:start + n])
            start += n
        return header, blobs

    return send_, receive_


class _RefuseProjectPackages:
    """A meta-path hook: graded code may not import the grader or the references."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in PROJECT_PACKAGES:
            raise ImportError(f"graded code cannot import the project's own package {name!r}")
        return None


def _seal_imports(project_root: str) -> None:
    sys.meta_path.insert(0, _RefuseProjectPackages())
    root = os.path.realpath(project_root)
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != root]
    for name in list(sys.modules):
        if name.partition(".")[0] in PROJECT_PACKAGES:
            del sys.modules[name]


class Forbidden(BaseException):
    """A forbidden function was called; a BaseException so `except Exception` cannot swallow it."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _sealed(function):
    """`function` again, over a globals dict of its own (builtins only). What the candidate can reach (a
    tripwire sits where torch's function was; a mode is on torch's stack) then leads nowhere through
    __globals__: not to this script's globals, where the worker's classes and functions live."""
    import builtins

    sealed = types.FunctionType(function.__code__, {"__builtins__": builtins}, function.__name__,
                                function.__defaults__, function.__closure__)
    sealed.__kwdefaults__ = function.__kwdefaults__
    sealed.__qualname__, sealed.__doc__ = function.__qualname__, function.__doc__
    return sealed


def _watch(names: list[str], aten: list[str], packets: list[str]) -> types.SimpleNamespace:
    """Forbidden calls, caught three ways while candidate code runs (on every call): tripwires on the
    Python names; a TorchFunctionMode that knows the original objects (aliases such as
    torch._C._nn.scaled_dot_product_attention, whatever name they are reached by); a TorchDispatchMode on
    the aten backend ops those functions end in (torch.ops.aten.* calls, and anything else that reaches
    them). `aten`: backend ops the dispatch mode watches; `packets`: torch.ops.aten packets that trip
    when called (ops that decompose before the dispatch mode sees them). A name may be a package
    (torch.optim): then every function, and every class's __init__ and step, defined in it.

    The state lives in closures, and what the candidate can reach keeps no way back to it: tripwires
    have no __wrapped__ and globals of their own, and nothing is an attribute of a class or module the
    candidate could patch (this script is __main__). Returns `watching()` (a context manager: calls in
    it are watched) and `tripped()` (the first forbidden name called, even when the candidate's code,
    or autograd's engine, caught the exception)."""
    import torch
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    active = [0]  # watching()'s depth: the modes are pushed by the outermost one only
    hits: list[str] = []
    # id of a C function -> (its forbidden name, the keyword that makes it forbidden or "", its position)
    originals: dict[int, tuple[str, str, int | None]] = {}
    forbidden = Forbidden
    installed: list[tuple[object, str, object]] = []  # (owner, attribute, what was set): see intact()

    def trip(name):
        hits.append(name)
        raise forbidden(name)

    trip = _sealed(trip)

    def tripwire(target, entry, keyword="", position=None):
        """What takes a forbidden function's place. Called, it trips: always (the grader's own code calls
        none of them), so no counter in reach of the candidate's code can turn it off, and it keeps no way
        to the original; only a function forbidden with one keyword keeps its original, which it calls
        without that keyword (the function mode watches its C alias: see torch_function)."""
        if keyword:
            signature = inspect.signature(target) if position is None else None

            def call(*args, **kwargs):
                given = kwargs.get(keyword) if signature is None else \
                    signature.bind_partial(*args, **kwargs).arguments.get(keyword)
                if given or position is not None and len(args) > position and args[position]:
                    trip(entry)
                return target(*args, **kwargs)
        else:
            def call(*args, **kwargs):
                trip(entry)

        wire = _sealed(call)
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):  # no __wrapped__: see above
            with contextlib.suppress(AttributeError, TypeError):
                setattr(wire, attr, getattr(target, attr))
        with contextlib.suppress(TypeError, ValueError):
            wire.__signature__ = inspect.signature(target)
        return wire

    def put(owner, attr: str, value) -> None:
        setattr(owner, attr, value)
        installed.append((owner, attr, value))

    def install(entry: str) -> None:
        dotted, keyword, position = parse_entry(entry)
        entry = f"{dotted}[{keyword}]" if keyword else dotted  # as the report names it
        module_name, _, attr = dotted.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # an attribute path such as torch._C._VariableFunctions
            head, *rest = module_name.split(".")
            module = functools.reduce(getattr, rest, importlib.import_module(head))
        original = getattr(module, attr)
        if isinstance(original, types.ModuleType):
            install_package(original)
            return
        if inspect.isbuiltin(original):  # a C function has aliases (torch._C._nn...): the function mode watches it
            originals.setdefault(id(original), (entry, keyword, position))
        if isinstance(original, type):
            put(original, "__init__", tripwire(original.__init__, entry, keyword, position))
        else:
            put(module, attr, tripwire(original, entry, keyword, position))

    def install_package(package) -> None:
        """Everything the package defines, under every name its modules give it (torch.optim.sgd.sgd is
        also torch.optim._functional.sgd); its not yet imported modules are imported first."""
        import pkgutil

        prefix = package.__name__
        for info in pkgutil.walk_packages(getattr(package, "__path__", []), prefix + "."):
            with contextlib.suppress(Exception):
                importlib.import_module(info.name)
        modules = [m for name, m in list(sys.modules.items())
                   if (name == prefix or name.startswith(prefix + ".")) and isinstance(m, types.ModuleType)]
        done: set[int] = set()
        for module in modules:
            for name, value in list(vars(module).items()):
                if not str(getattr(value, "__module__", "")).startswith(prefix):
                    continue
                if isinstance(value, type):
                    if id(value) in done:
                        continue
                    done.add(id(value))
                    public = f"{prefix}.{value.__name__}" if getattr(package, value.__name__, None) is value \
                        else f"{value.__module__}.{value.__qualname__}"
                    for method in ("__init__", "step"):
                        if inspect.isfunction(vars(value).get(method)):
                            label = public if method == "__init__" else f"{public}.{method}"
                            put(value, method, tripwire(vars(value)[method], label))
                elif inspect.isfunction(value):
                    put(module, name, tripwire(value, f"{module.__name__}.{name}"))

    def tripping(base, label, keyword="", position=None):
        """A subclass of an op packet's (or overload's) class whose call trips: set as the object's
        __class__, the op stays the very object torch's C++ finds (a stand-in object there crashes it).
        With a keyword (cross_entropy_loss[label_smoothing@5]), only when that argument is given and not zero."""
        def __call__(self, /, *args, **kwargs):
            if not keyword or kwargs.get(keyword) or position is not None and len(args) > position \
                    and args[position]:
                trip(label)
            return call(self, *args, **kwargs)

        call = base.__call__
        return type(base.__name__, (base,), {"__call__": _sealed(__call__), "__slots__": (),
                                             "__module__": base.__module__, "__qualname__": base.__qualname__})

    for entry in names:
        with contextlib.suppress(AttributeError, ImportError, TypeError):  # not in this torch version
            install(entry)
    watched_ops = {}
    for op in aten:
        packet = getattr(torch.ops.aten, op, None)
        if packet is not None:
            watched_ops[packet] = f"torch.ops.aten.{op}"
    for op in packets:  # torch.ops.aten.dropout(...) never reaches the dispatch mode as dropout on the CPU
        # cross_entropy_loss[label_smoothing@5]: a composite op, which decomposes before the dispatch mode
        # sees it, forbidden with one argument only
        op, keyword, position = parse_entry(op)
        packet = getattr(torch.ops.aten, op, None)
        if packet is None:
            continue
        label = f"torch.ops.aten.{op}[{keyword}]" if keyword else f"torch.ops.aten.{op}"
        with contextlib.suppress(AttributeError, TypeError, RuntimeError):
            overloads = [getattr(packet, name) for name in packet.overloads()]
            put(packet, "__class__", tripping(type(packet), label, keyword, position))
            for overload in overloads:
                put(overload, "__class__", tripping(type(overload), label, keyword, position))

    if originals:  # the public switch that turns every function mode off, ours too
        disable = torch._C.DisableTorchFunction
        wire = tripwire(disable, "torch._C.DisableTorchFunction (it turns the grader's watch off)")
        for owner in (torch._C, torch):
            if getattr(owner, "DisableTorchFunction", None) is disable:
                put(owner, "DisableTorchFunction", wire)

    def torch_function(self, func, types, args=(), kwargs=None):
        found = originals.get(id(func))
        if found is not None:
            name, keyword, position = found
            if not keyword or (kwargs or {}).get(keyword) or \
                    position is not None and len(args) > position and args[position]:
                trip(name)
        return func(*args, **(kwargs or {}))

    def torch_dispatch(self, func, types, args=(), kwargs=None):
        name = watched_ops.get(func.overloadpacket)
        if name is not None:
            trip(name)
        return func(*args, **(kwargs or {}))

    def should_skip_dynamo(cls) -> bool:
        return False

    torch_function, torch_dispatch = _sealed(torch_function), _sealed(torch_dispatch)
    function_mode = type("FunctionMode", (TorchFunctionMode,),
                         {"__torch_function__": torch_function}) if originals else None
    dispatch_mode = type("DispatchMode", (TorchDispatchMode,),
                         {"__torch_dispatch__": torch_dispatch,
                          "_should_skip_dynamo": classmethod(_sealed(should_skip_dynamo))}) if watched_ops else None

    def state(function):
        """What a function of the watch runs and holds: its code, globals, defaults and closure cells."""
        return (function.__code__, function.__globals__, function.__defaults__,
                tuple(cell.cell_contents for cell in function.__closure__ or ()))

    functions = [trip, torch_function, torch_dispatch] + [
        value for _, _, value in installed if isinstance(value, types.FunctionType)] + [
        vars(value)["__call__"] for owner, attr, value in installed if attr == "__class__"]
    states, expected_originals, expected_ops = [state(f) for f in functions], dict(originals), dict(watched_ops)

    def intact() -> bool:
        """Whether the watch is as installed: each tripwire where it was put, and nothing it runs or holds
        swapped (a closure cell rewritten, a code object replaced, a list of originals emptied). Checked
        after every request; code that changes the watch and puts it back within one call is not seen."""
        try:
            if originals != expected_originals or watched_ops != expected_ops:
                return False
            for function, before in zip(functions, states):
                now = state(function)
                if any(a is not b for a, b in zip(now[:3], before[:3])) or len(now[3]) != len(before[3]) \
                        or any(a is not b for a, b in zip(now[3], before[3])):
                    return False
            return all(getattr(owner, attr) is value for owner, attr, value in installed)
        except Exception:  # noqa: BLE001 - a cell emptied, an attribute deleted: changed
            return False

    @contextlib.contextmanager
    def watching():
        active[0] += 1
        try:
            with contextlib.ExitStack() as stack:
                if function_mode and active[0] == 1:
                    stack.enter_context(function_mode())
                if dispatch_mode and active[0] == 1:
                    stack.enter_context(dispatch_mode())
                yield
        finally:
            active[0] -= 1

    return types.SimpleNamespace(watching=watching, tripped=lambda: hits[0] if hits else None, intact=intact)


def _device_watch(target: str):
    """A TorchDispatchMode that records the first op mixing devices (see grader/devices.py)."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_leaves

    index_ops = {torch.ops.aten.index, torch.ops.aten.index_put, torch.ops.aten.index_put_,
                 torch.ops.aten._index_put_impl_}

    class DeviceWatch(TorchDispatchMode):
        mixed = None

        @classmethod
        def _should_skip_dynamo(cls) -> bool:
            return False

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            watched = args[:1] if func.overloadpacket in index_ops else (args, kwargs)
            tensors = [t for t in tree_leaves(watched) if isinstance(t, torch.Tensor)]
            devices = {t.device.type for t in tensors if not (t.device.type == "cpu" and t.dim() == 0)}
            if len(devices) > 1 and self.mixed is None:
                shapes = ", ".join(f"{t.device.type} {tuple(t.shape)}" for t in tensors)
                self.mixed = f"The operation {func.overloadpacket.__name__} mixes devices: {shapes}."
            return func(*args, **kwargs)

    return DeviceWatch()


def _meta(torch, value):
    """A meta copy of a tensor (shape and dtype, no data); anything else as it is."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("meta").requires_grad_(value.requires_grad)
    return value


def _tagged_watch():
    """The device check for code the meta run cannot decide (it reads data: .item(), bool(mask.all()),
    boolean indexing). Inputs become `Tagged` tensors: real CPU data that reports device `meta`, the
    stand-in for an accelerator. A TorchDispatchMode runs every op on the real data; a result is tagged
    when an input was, or when the op was asked for device=meta (torch.zeros(n, device=x.device)); an
    op that mixes tagged tensors with untagged ones of more than 0 dims (a torch.arange(n) made on the
    CPU) is what raises "Expected all tensors to be on the same device" on a GPU, and is recorded."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_leaves, tree_map

    index_ops = {torch.ops.aten.index, torch.ops.aten.index_put, torch.ops.aten.index_put_,
                 torch.ops.aten._index_put_impl_}

    class Tagged(torch.Tensor):
        __torch_function__ = torch._C._disabled_torch_function_impl

        @staticmethod
        def __new__(cls, real):
            tagged = torch.Tensor._make_wrapper_subclass(cls, real.shape, strides=real.stride(), dtype=real.dtype,
                                                         device="meta", requires_grad=real.requires_grad,
                                                         storage_offset=real.storage_offset())
            tagged.data_ = real
            return tagged

        def __repr__(self):
            return f"{self.data_!r} (on the device under test)"

        def tolist(self):
            return self.data_.tolist()

        @classmethod
        def __torch_dispatch__(cls, func, types, args=(), kwargs=None):  # outside the mode: plain data
            unwrap = lambda t: t.data_ if isinstance(t, Tagged) else t  # noqa: E731
            return func(*tree_map(unwrap, args), **tree_map(unwrap, kwargs or {}))

    def is_meta(device) -> bool:
        return device is not None and torch.device(device).type == "meta"

    class TaggedWatch(TorchDispatchMode):
        mixed = None

        @classmethod
        def _should_skip_dynamo(cls) -> bool:
            return False

        @staticmethod
        def tag(value):
            return Tagged(value.detach()) if isinstance(value, torch.Tensor) else value

        @staticmethod
        @contextlib.contextmanager
        def generators_on_the_cpu():
            """torch.Generator(device=x.device) for a tagged x gives a CPU generator (the meta device has none:
            "META device type not an accelerator"), the device of the data it draws for: on an accelerator the
            same code gets that device's generator."""
            before = torch.Generator

            class Generator(torch._C.Generator):
                def __new__(cls, device=None):
                    if device is not None and torch.device(device).type == "meta":
                        device = "cpu"
                    return super().__new__(cls) if device is None else super().__new__(cls, device)

                def __init__(self, device=None):
                    pass

            torch.Generator = Generator
            try:
                yield
            finally:
                torch.Generator = before

        @staticmethod
        def untag_for_reply(value):
            """Tagged results as meta tensors (they stayed on the device); untagged ones as they are."""
            return tree_map(lambda t: torch.empty(t.shape, dtype=t.dtype, device="meta") if isinstance(t, Tagged)
                            else t, value)

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            leaves = [t for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
            tagged = any(isinstance(t, Tagged) for t in leaves)
            watched = args[:1] if func.overloadpacket in index_ops else (args, kwargs)
            plain = [t for t in tree_leaves(watched) if isinstance(t, torch.Tensor) and not isinstance(t, Tagged)
                     and t.dim() > 0]
            if tagged and plain and self.mixed is None:
                shapes = ", ".join(f"{'device' if isinstance(t, Tagged) else 'cpu'} {tuple(t.shape)}"
                                   for t in leaves)
                self.mixed = f"The operation {func.overloadpacket.__name__} mixes devices: {shapes}."
            device = kwargs.get("device")
            wrap = (tagged and not (device is not None and torch.device(device).type == "cpu")) or is_meta(device)
            if is_meta(device):
                kwargs = {**kwargs, "device": torch.device("cpu")}
            unwrap = lambda t: t.data_ if isinstance(t, Tagged) else t  # noqa: E731
            result = func(*tree_map(unwrap, args), **tree_map(unwrap, kwargs))
            schema = func._schema.arguments
            if schema and schema[0].alias_info is not None and schema[0].alias_info.is_write and args:
                return args[0]  # in place: the same (tagged or not) object
            if wrap:
                return tree_map(lambda t: Tagged(t) if isinstance(t, torch.Tensor) else t, result)
            return result

    return TaggedWatch()


@contextlib.contextmanager
def _without_dynamo_import():
    """Meta kernels in Python are wrapped in torch._disable_dynamo, whose first call imports
    torch._dynamo (over a second): a pass-through stand-in answers that import meanwhile."""
    import torch

    if "torch._dynamo" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("torch._dynamo")
    stand_in.disable = lambda fn, recursive=True, wrapping=True: fn
    sys.modules["torch._dynamo"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("torch._dynamo") is stand_in:
            del sys.modules["torch._dynamo"]
        torch.__dict__.pop("_dynamo", None)


def _compile_eagerly(model=None, **options):
    """torch.compile in the worker: the function itself, run eagerly. Compiling would patch torch functions
    the watch guards (TorchDynamo replaces optimizer internals and turns torch function modes off while it
    traces), so correct compiled code would be graded as reaching around the watch; and a compiled function
    computes what its Python says, which is what is graded."""
    if model is None:  # @torch.compile(...) with options
        return lambda inner: inner
    return model


class Worker:
    def __init__(self, sock: socket.socket):
        import torch

        self.torch = torch
        self.sock = sock
        self._send, self._receive = _channel(sock)  # bound now: see _channel
        self.objects: dict[int, object] = {}
        self.path = ""
        self.watch: types.SimpleNamespace | None = None  # see _watch
        self.leaves: list = []
        self.graph = None  # (inputs that require grad, outputs that require grad) of the last grad call
        # Bound now, before any candidate code runs: patching the class later (whoever reaches it) changes
        # nothing this worker calls.
        for name in ("handle", "load", "call", "_tagged_call", "backward", "module", "encode", "decode",
                     "describe", "describe_module"):
            setattr(self, name, getattr(self, name))
        self._device_watch, self._tagged_watch, self._invoke = _device_watch, _tagged_watch, _invoke
        # the watch replaces torch._C.DisableTorchFunction with a tripwire: this worker uses the original
        self._disabled = torch._C.DisableTorchFunction
        self._spoil = functools.partial(_spoil, disabled=self._disabled)
        self._snapshot, self._changed = _content_watch(torch)
        tensor_methods()  # the codec's, bound now
        self._load_parameters = functools.partial(_load_parameters, disabled=self._disabled)

    def serve(self) -> None:
        send_, receive_ = self._send, self._receive
        send_({"ready": True, "pid": os.getpid()})
        while True:
            try:
                header, blobs = receive_()
            except EOFError:
                return
            reply, out = self.handle(header, blobs)
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            send_(reply, out)

    def handle(self, header: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        op = header.get("op")
        out: list[bytes] = []
        try:
            if op == "load":
                reply = self.load(header)
            elif op == "call":
                reply = self.call(header, blobs, out)
            elif op == "backward":
                reply = self.backward(header, blobs, out)
            elif op == "module":
                reply = self.module(header, out)
            else:
                reply = {"failure": f"unknown op {op!r}"}
        except Forbidden as exc:  # the name the watch recorded, which the candidate cannot rewrite
            return {"forbidden": self.watch.tripped() or exc.name}, []
        except BaseException as exc:  # noqa: BLE001 - every candidate error is a reply, never a crash
            if isinstance(exc, KeyboardInterrupt):
                raise
            reply, out = {"error": self.describe(exc)}, []
        # A forbidden call caught on its way out (a bare except in the candidate's code, or autograd's
        # engine turning it into another error during backward) is still a forbidden call.
        hit = self.watch.tripped() if self.watch is not None else None
        if self.watch is not None and not self.watch.intact():
            hit = hit or TAMPERED
        return ({"forbidden": hit}, []) if hit else (reply, out)

    # loading the candidate's file

    def load(self, request: dict) -> dict:
        torch = self.torch
        torch.set_num_threads(1)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        self.watch = _watch(request["forbidden"], request["aten"], request["packets"])
        torch.compile = _compile_eagerly  # see there
        # The candidate's `sys.modules["__main__"]` (or `import __main__`) is an empty module, not this script.
        main = types.ModuleType("__main__")
        main.__file__ = request["path"]
        sys.modules["__main__"] = main
        self.path = path = request["path"]
        self._show_warnings_once_at_the_candidates_line()
        source = request["source"]
        linecache.cache[path] = (len(source), None, source.splitlines(keepends=True), path)
        module = types.ModuleType("qkv_candidate_solution")
        module.__file__ = path
        sys.modules[module.__name__] = module
        try:
            code = compile(source, path, "exec", dont_inherit=True)
            with self.watch.watching():
                exec(code, module.__dict__)  # noqa: S102 - running the candidate's file is the point
        except Forbidden:
            raise
        except SyntaxError as exc:
            return {"load_error": f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}"}
        except SystemExit as exc:
            return {"load_error": f"{path}: the file called sys.exit({exc.code!r}) while being imported; keep "
                                  "top-level code to definitions (or guard it with if __name__ == '__main__':)."}
        except BaseException as exc:  # noqa: BLE001 - any import-time error is the candidate's
            if isinstance(exc, KeyboardInterrupt):
                raise
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
            where = f"{path}:{frames[-1].lineno}" if frames else path
            return {"load_error": f"{where}: importing your file raised {type(exc).__name__}: {exc}"}
        problem = self._find_entry(module, request)
        if problem:
            return {"load_error": problem}
        return {"loaded": True}

    def _show_warnings_once_at_the_candidates_line(self) -> None:
        """A warning is printed once, with the line of the candidate's file that led to it (not a frame
        of torch or of this worker), however many calls repeat it."""
        import warnings

        seen = set()
        path = self.path

        def show(message, category, filename, lineno, file=None, line=None):
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename != path:
                frame = frame.f_back
            if frame is not None:
                filename, lineno = path, frame.f_lineno
            key = (str(message), category, filename, lineno)
            if key not in seen:
                seen.add(key)
                print(f"{filename}:{lineno}: {category.__name__}: {message}", file=sys.stderr)

        warnings.simplefilter("always")
        warnings.showwarning = show

    def _find_entry(self, module, request: dict) -> str | None:
        name, is_class, path = request["entry"], request["is_class"], self.path
        expected = request["signature_text"]
        entry = module.__dict__.get(name)
        if entry is None:
            found = sorted(n for n, v in vars(module).items()
                           if not n.startswith("_") and callable(v) and getattr(v, "__module__", None) == module.__name__)
            listing = ", ".join(found) if found else "nothing callable"
            return (f"{path}: no {'class' if is_class else 'function'} named {name!r}; the file defines {listing}. "
                    f"Expected: {expected}")
        if is_class != inspect.isclass(entry):
            return (f"{path}: {name} should be a {'class' if is_class else 'function'}, found a "
                    f"{type(entry).__name__}. Expected: {expected}")
        for method, (names, required) in request["signatures"].items():
            function = getattr(entry, method) if method else entry
            try:
                signature = inspect.signature(function)
            except (TypeError, ValueError):
                continue
            if method:
                signature = signature.replace(parameters=list(signature.parameters.values())[1:])
            for count in (required, len(names)):
                try:
                    signature.bind(*range(count))
                except TypeError:
                    label = f"{name}.{method}" if method else name
                    return (f"{path}: {label}{signature} cannot be called as {label}({', '.join(names[:count])}). "
                            f"Expected: {expected}")
        self.objects[0] = entry
        return None

    # calls

    def call(self, request: dict, blobs: list[bytes], out: list[bytes]) -> dict:
        torch = self.torch
        target = self.objects[request["target"]]
        if request.get("load"):  # weights the grading process drew, for the module's parameters of those names
            self._load_parameters(torch, target, request["load"], blobs, self.watch.watching)
        self.leaves = []  # tensors that require grad, in the order the grading process lists them
        args = [self.decode(a, blobs) for a in request["args"]]
        params = {k: self.decode(v, blobs) for k, v in (request.get("params") or {}).items()}
        kwargs = {k: self.decode(v, blobs) for k, v in (request.get("kwargs") or {}).items()}
        watch_target = request.get("watch")
        real = None
        if watch_target == "meta":  # real CPU data came: a meta run first, the tagged run if it cannot decide
            real = (args, params, kwargs)
            args, params, kwargs = ([_meta(torch, a) for a in args], {k: _meta(torch, v) for k, v in params.items()},
                                    {k: _meta(torch, v) for k, v in kwargs.items()})
        before = {i: (a._version, a.data_ptr() if a.device.type != "meta" else 0, tuple(a.shape))
                  for i, a in enumerate(args) if isinstance(a, torch.Tensor)}
        # and the bytes: a change through .data or a numpy view bumps no version and keeps the pointer
        contents = {i: self._snapshot(a) for i, a in enumerate(args) if isinstance(a, torch.Tensor)}
        torch.default_generator.manual_seed(request["seed"])  # (torch.manual_seed also seeds lazy
        if torch.cuda.is_initialized():                      # accelerators, recording a stack trace)
            torch.cuda.manual_seed_all(request["seed"])
        grad = bool(request.get("grad"))  # keep the graph: the grading process will ask for gradients
        device_watch = self._device_watch(watch_target) if watch_target else None
        with contextlib.ExitStack() as stack:
            stack.enter_context(torch.set_grad_enabled(bool(request.get("grad_mode", True))))
            if device_watch is not None:
                stack.enter_context(_without_dynamo_import())
                stack.enter_context(device_watch)
            stack.enter_context(self.watch.watching())
            try:
                result = self._invoke(target, args, params, kwargs, request)
            except Forbidden:
                raise
            except BaseException as exc:  # noqa: BLE001
                if isinstance(exc, KeyboardInterrupt):
                    raise
                if device_watch is not None and device_watch.mixed:
                    return {"mixed": device_watch.mixed}
                if watch_target == "meta" and not isinstance(exc, SystemExit):
                    inconclusive = f"{type(exc).__name__}: {exc}"
                else:
                    raise
            else:
                inconclusive = None
        if inconclusive is not None:  # data-dependent code (.item(), bool(mask.all())): run on tagged real data
            return self._tagged_call(target, real, request, out, inconclusive)
        reply = {"mixed": device_watch.mixed if device_watch is not None else None}
        with self._disabled():
            mutated = {}
            for i, a in enumerate(args):
                if isinstance(a, torch.Tensor):
                    now = (a._version, a.data_ptr() if a.device.type != "meta" else 0, tuple(a.shape))
                    if now != before[i] or self._changed(a, contents[i]):
                        mutated[str(i)] = self.encode(a, out, args=())
            reply["mutated"] = mutated if real is None else {}  # a meta run changed meta copies only
            reply["result"] = self.encode(result, out, args=args)
        if request.get("spoil") and not grad and real is None:
            self._spoil(torch, result)
        if grad:
            leaves = self.leaves
            outputs = [t for t in _tensors(result) if t.requires_grad]
            self.graph = (leaves, outputs)
            reply["graph"] = True
        return reply

    def _tagged_call(self, target, real, request: dict, out: list[bytes], why_meta: str) -> dict:
        """The call again on real CPU data wrapped as tensors of another device (see `_tagged_watch`):
        a mix of devices is flagged as on the meta run, and outputs come back as meta tensors when they
        stayed on the inputs' device, as CPU tensors when they did not."""
        torch = self.torch
        args, params, kwargs = real
        watch = self._tagged_watch()
        args, params, kwargs = ([watch.tag(a) for a in args], {k: watch.tag(v) for k, v in params.items()},
                                {k: watch.tag(v) for k, v in kwargs.items()})
        torch.default_generator.manual_seed(request["seed"])
        try:
            with torch.set_grad_enabled(bool(request.get("grad_mode", True))), watch, watch.generators_on_the_cpu(), \
                    self.watch.watching():
                result = self._invoke(target, args, params, kwargs, request)
        except Forbidden:
            raise
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, KeyboardInterrupt):
                raise
            if watch.mixed:
                return {"mixed": watch.mixed}
            if isinstance(exc, SystemExit):
                raise
            return {"inconclusive": f"on the meta device: {why_meta}; on tagged CPU data: "
                                    f"{type(exc).__name__}: {exc}"}
        with self._disabled():
            result = watch.untag_for_reply(result)
            return {"mixed": watch.mixed, "mutated": {}, "result": self.encode(result, out, args=())}

    def backward(self, request: dict, blobs: list[bytes], out: list[bytes]) -> dict:
        torch = self.torch
        if self.graph is None:
            return {"failure": "no graph to differentiate"}
        leaves, outputs = self.graph
        self.graph = None
        upstream = [self.decode(g, blobs) if g is not None else torch.zeros_like(o)
                    for g, o in zip(request["grads"], outputs)]
        with self.watch.watching():
            # The scalar <outputs, upstream> seeds each output with exactly its upstream gradient, and,
            # unlike grad_outputs=, does not import sympy (a third of a second in every fresh worker).
            loss = sum((o * u).sum() for o, u in zip(outputs, upstream))
            grads = torch.autograd.grad(loss, leaves, allow_unused=True) if outputs else [None] * len(leaves)
        with self._disabled():
            return {"grads": [None if g is None else self.encode(g, out, args=()) for g in grads]}

    def module(self, request: dict, out: list[bytes]) -> dict:
        torch = self.torch
        obj = self.objects[request["target"]]
        if not isinstance(obj, torch.nn.Module):
            return {"is_module": False}
        if request.get("device"):
            obj.to(request["device"])
        return {"is_module": True, **self.describe_module(obj, out)}

    def describe_module(self, obj, out: list[bytes]) -> dict:
        torch = self.torch
        with self._disabled():
            parameters = [[name, self.encode(p, out, args=())] for name, p in obj.named_parameters()]
        linears = [[name, m.in_features, m.out_features] for name, m in obj.named_modules()
                   if isinstance(m, torch.nn.Linear)]
        return {"parameters": parameters, "linears": linears}

    # values

    def decode(self, value, blobs: list[bytes]):
        torch = self.torch
        if isinstance(value, dict):
            if value.get("tensor"):
                t = decode_tensor(value, blobs)
                if value.get("stride"):  # the caller's view was not contiguous: neither is the candidate's
                    t = torch.empty_strided(t.shape, [int(s) for s in value["stride"]], dtype=t.dtype,
                                            device=t.device).copy_(t)
                if value.get("parameter"):
                    t = torch.nn.Parameter(t, requires_grad=bool(value.get("requires_grad")))
                elif value.get("requires_grad") and t.is_floating_point():
                    t.requires_grad_()
                if t.requires_grad:
                    self.leaves.append(t)
                    if value.get("leaf") is False:  # a computed tensor over there: not a leaf here either
                        return t.clone()
                return t
            if "seq" in value:
                items = [self.decode(v, blobs) for v in value["seq"]]
                return tuple(items) if value.get("tuple") else items
            if "device" in value:
                return torch.device(value["device"])
            if "dtype" in value:
                return getattr(torch, value["dtype"])
            if "handle" in value:
                return self.objects[value["handle"]]
            raise ValueError(f"cannot decode {value!r}")
        return value

    def encode(self, value, out: list[bytes], args) -> object:
        torch = self.torch
        if isinstance(value, torch.Tensor):
            for i, a in enumerate(args):
                if value is a:
                    return {"alias": i}
            if type(value) not in (torch.Tensor, torch.nn.Parameter) or value.layout != torch.strided \
                    or value.is_quantized or value.is_nested:
                return {"object": f"a {type(value).__name__} with layout {value.layout} (graded outputs must be "
                                  "plain dense torch.Tensor objects)"}
            spec = encode_tensor(value, out)
            spec.update(requires_grad=value.requires_grad, grad_fn=value.grad_fn is not None,
                        device_index=value.device.index)
            return spec
        if value is None or isinstance(value, (bool, int, float, str)):
            return value if type(value) in (bool, int, float, str, type(None)) else \
                {"object": f"a {type(value).__name__}"}
        if type(value) in (tuple, list):
            return {"seq": [self.encode(v, out, args) for v in value], "tuple": type(value) is tuple}
        if isinstance(value, torch.nn.Module) or callable(value):
            handle = max(self.objects, default=0) + 1
            self.objects[handle] = value
            spec = {"handle": handle, "module": isinstance(value, torch.nn.Module), "type": type(value).__name__}
            if spec["module"]:  # graded in eval mode, as PyTorch's own module tests do (dropout off)
                value.eval()
                # what the grading process reads of it, sent along: one round trip less
                spec.update(self.describe_module(value, out))
            return spec
        return {"object": f"a {type(value).__name__}"}

    def describe(self, exc: BaseException) -> dict:
        frames = traceback.extract_tb(exc.__traceback__)
        mine = [f for f in frames if f.filename == self.path]
        text = str(exc)
        memory = isinstance(exc, MemoryError) or "can't allocate memory" in text or "out of memory" in text.lower()
        return {"type": type(exc).__name__, "message": text[:4000],
                "exit_code": repr(exc.code) if isinstance(exc, SystemExit) else None,
                "frames": [[f.filename, f.lineno, f.line or ""] for f in mine[-1:]],
                "raised_in_candidate": bool(frames) and frames[-1].filename == self.path,
                "memory": memory}


def _invoke(target, args, params: dict, kwargs: dict, request: dict):
    """Call the candidate's object: with `params` in place of its parameters (torch.func) when asked."""
    if params or request.get("functional"):
        from torch.func import functional_call

        return functional_call(target, params, tuple(args))
    return target(*args, **kwargs)


def _load_parameters(torch, module, specs: dict, blobs: list[bytes], watching, *, disabled) -> None:
    """Copy the tensors of `specs` into `module`'s parameters of those names (a missing name: KeyError); the
    candidate's code (named_parameters may be its own) runs under the watch, the copies without its modes."""
    with watching():
        found = dict(module.named_parameters())
    with torch.no_grad(), disabled():
        for name, spec in specs.items():
            parameter = found[name]
            parameter.copy_(decode_tensor(spec, blobs).to(parameter.device, parameter.dtype))


def _content_watch(torch):
    """(snapshot, changed): a copy of a tensor before a call (None on meta), and whether its values differ
    from that copy after it. A NaN differs from itself here: the grading process compares what is reported
    with its own tensor bit for bit, so a report too many costs only its bytes. Bound before any candidate
    code runs: the functions come from torch's immutable C types, not attributes a candidate could replace."""
    clone, detach = torch._C.TensorBase.clone, torch._C.TensorBase.detach
    equal, disabled = torch._C._VariableFunctions.equal, torch._C.DisableTorchFunction

    def snapshot(t):
        if t.device.type == "meta":
            return None
        with disabled():
            return clone(detach(t))

    def changed(t, copy) -> bool:
        if copy is None or t.device.type == "meta":
            return False
        with disabled():
            return not equal(t, copy)

    return snapshot, changed


def _spoil(torch, result, *, disabled) -> None:
    """Change the returned tensors in place, as a caller may once it has them (their values went out
    already): True and False swapped, numbers plus one. A tensor that cannot be written (an expanded view)
    is left as it is: no caller could change it either."""
    with torch.no_grad(), disabled():
        for t in _tensors(result):
            with contextlib.suppress(Exception):
                if t.dtype == torch.bool:
                    t.logical_not_()
                else:
                    t.add_(1)


def _tensors(value):
    import torch

    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors(item)


def zygote(control: socket.socket) -> None:
    """Fork a fresh worker for each request: a copy of this process, torch already imported and
    nothing else (no candidate code has run here), so a worker starts in milliseconds.

    Requests: {"fork": scratch, "limits": {...}} with the worker's socket and its output file as attached fds;
    {"kill": pid} (its whole session, then every other child: see sweep_children); {"wait": pid, "timeout": s}
    (its exit status)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: see sweep_children
    send(control, {"ready": True})
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 2)
        except (EOFError, OSError):
            return
        if not message:
            return
        request = json.loads(message)
        if "fork" in request:
            pid = os.fork()
            if pid == 0:
                control.close()
                _become_worker(fds[0], fds[1], request)
            for fd in fds:
                os.close(fd)
            reply = {"pid": pid}
        elif "kill" in request:
            pid = request["kill"]
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
            _wait(pid, 5)  # reaped here: what it leaves is then reparented to the zygote, for the sweep
            sweep_children()  # what a worker left behind (even after setsid) is reparented here: a subreaper
            reply = {"killed": True}
        else:
            reply = {"returncode": _wait(request["wait"], request["timeout"])}
        control.sendall(json.dumps(reply).encode() + b"\n")


_HAVE_CHILDREN_FILES = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def children_of(pid: int) -> list[int]:
    """The children of `pid`: /proc/PID/task/*/children where the kernel has it (fast enough to catch a process
    that keeps forking), else a scan of every /proc/PID/stat."""
    if _HAVE_CHILDREN_FILES:
        try:
            found = []
            for task in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(FileNotFoundError, ProcessLookupError), \
                        open(f"/proc/{pid}/task/{task}/children", "rb") as f:
                    found += [int(child) for child in f.read().split()]
            return found
        except FileNotFoundError:
            return []
        except OSError:  # not ours to read (a process that made itself non-dumpable)
            pass
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    if int(f.read().rsplit(b")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def sweep_children(spare=(), limit: float = 10.0) -> bool:
    """Kill and reap every child of this process but `spare`, with everything under it, until none is left
    (at most `limit` seconds): this process is a child subreaper, so what they leave is reparented here.
    Each round stops (SIGSTOP) what it finds, then looks again under what it stopped until nothing new turns
    up, then kills it all: a process that keeps forking cannot move on meanwhile. True when none is left."""
    me, spare = os.getpid(), set(spare)
    end = time.monotonic() + limit
    while True:
        strays = [pid for pid in children_of(me) if pid not in spare]
        if not strays:
            return True
        if time.monotonic() > end:
            return False
        stopped, frontier = set(), strays
        while frontier:
            for pid in frontier:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGSTOP)
            stopped.update(frontier)
            frontier = [child for pid in frontier for child in children_of(pid) if child not in stopped]
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in strays:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)


def _wait(pid: int, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if done:
            return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def _become_worker(fd: int, output: int, request: dict) -> None:
    """In a child of the zygote: its own session, limits, scratch folder and output file (opened by the
    grading process); then serve."""
    try:
        os.setsid()
        limits(**request["limits"])
        drop_capabilities()
        scratch = request["fork"]
        os.makedirs(scratch, exist_ok=True)
        os.chdir(scratch)
        os.environ.update(HOME=scratch, TMPDIR=scratch)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        Worker(socket.socket(fileno=fd)).serve()
    finally:
        os._exit(0)


def limits(memory: int, cpu: int, file_size: int, processes: int | None = None) -> None:
    """Resource limits of a worker (set in the worker itself, or before exec by the grading process)."""
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if processes is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent
    except (OSError, AttributeError):
        pass


def drop_capabilities() -> None:
    """Linux, a worker run as root: every capability gone for good (bounding set first, then ambient, effective,
    permitted and inheritable). Without CAP_SYS_PTRACE it cannot read a non-dumpable process's memory or
    descriptors (the grading process's key). Nothing to drop for another user (each call then fails)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for capability in range(64):
            libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP (EINVAL past the last one)
        libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        libc.capset(header, (ctypes.c_uint32 * 6)())  # effective, permitted, inheritable: none
    except (OSError, AttributeError):
        pass


def deny_local_sockets() -> bool:
    """Linux x86-64 and arm64: a seccomp filter on every thread of this process and its children, refusing a new
    AF_UNIX socket (a service reached by its path: D-Bus, docker.sock, an agent; a network namespace does
    not cover those) and io_uring (which can open sockets without that call). The worker's own socket is
    inherited; nothing else it needs opens one. False where nothing was installed."""
    import ctypes
    import platform

    native = {"x86_64": (0xC000003E, 41, 317), "aarch64": (0xC00000B7, 198, 277)}.get(platform.machine())
    if native is None:
        return False
    arch, socket_call, seccomp_call = native
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    load, equal, at_least, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
    program = [  # (code, jump if true, jump if false, k); jumps skip that many instructions
        (load, 0, 0, 4),  # 0: the calling convention (seccomp_data.arch)
        (equal, 1, 0, arch),  # 1: native: 3
        (ret, 0, 0, deny),  # 2: another one (32-bit calls from a 64-bit process): refused
        (load, 0, 0, 0),  # 3: the call's number
        (at_least, 6, 0, 0x40000000),  # 4: x32 calls: refused
        (equal, 0, 2, socket_call),  # 5: socket: 6, else 8
        (load, 0, 0, 16),  # 6: its domain (the low half of the first argument)
        (equal, 3, 2, 1),  # 7: AF_UNIX: refused, else allowed
        (at_least, 0, 1, 425),  # 8: io_uring_setup, _enter, _register (425 to 427): 9, else allowed
        (at_least, 0, 1, 428),  # 9
        (ret, 0, 0, allow),  # 10
        (ret, 0, 0, deny),  # 11
    ]
    code = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code, len(code))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, which a filter needs
            return False
        fprog = Program(len(program), ctypes.cast(buffer, ctypes.c_void_p))
        # SECCOMP_SET_MODE_FILTER with SECCOMP_FILTER_FLAG_TSYNC: torch's threads too
        return libc.syscall(seccomp_call, 1, 1, ctypes.byref(fprog)) == 0
    except (OSError, AttributeError):
        return False


def main() -> None:
    mode, fd, project_root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grading process's to handle
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the file-size limit: an OSError, not a kill
    _seal_imports(project_root)
    # The script's own folder (the zygote's, which holds every forked worker's writable scratch folder) is
    # off the path: a module planted there (resource.py) would be what a later worker imports.
    here = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != here]
    sock = socket.socket(fileno=fd)
    import _json  # noqa: F401 - everything a forked worker imports, imported before any fork (see above)
    import ctypes  # noqa: F401
    import gc
    import pkgutil  # noqa: F401
    import resource  # noqa: F401

    import torch  # noqa: F401 - imported before "ready": its import time is not the candidate's

    # What torch imports lazily during a grade, imported here (once in the zygote, not in every forked
    # worker; in a lone worker while the grading process still imports): symbolic shapes, and sympy (a third
    # of a second), for the meta kernels of the device check.
    import torch.fx.experimental.symbolic_shapes  # noqa: F401

    if mode == "zygote":
        gc.collect()
    # What is alive now (torch) lives as long as the process: left out of garbage collections, which would
    # otherwise walk it all (and, in a worker forked from the zygote, copy every page of its heap: 0.3 s).
    gc.freeze()
    deny_local_sockets()
    if mode == "zygote":
        zygote(sock)
    else:
        Worker(sock).serve()


if __name__ == "__main__":
    main()
