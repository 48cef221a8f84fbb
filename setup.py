"""Build svfix's compiled engine (native/, a C++ extension): everything else is in pyproject.toml."""

import os
from glob import glob

from pybind11.setup_helpers import Pybind11Extension, build_ext
from setuptools import setup

engine = Pybind11Extension(
    "svfix._native",
    sorted(glob("native/*.cpp")),
    depends=sorted(glob("native/*.hpp")),  # a changed header rebuilds the engine
    cxx_std=20,
    # Same floating point as the Python reference: no fused multiply-add, no fast-math.
    extra_compile_args=["-O2", "-ffp-contract=off", "-fno-fast-math"] + os.environ.get("SVFIX_CFLAGS", "").split(),
)

setup(ext_modules=[engine], cmdclass={"build_ext": build_ext})
