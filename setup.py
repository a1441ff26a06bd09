"""The compiled co-evolution solver (measures/coevolution/_native, METHODS §8.2): built at
install; `optional` so that a machine without a C++ compiler still installs, and the fits
then run through scipy's odeint (same LSODA algorithm, ~2× slower in bench.coevolution; native.py)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "measures.coevolution._lv",
            sources=[
                "measures/coevolution/_native/lv.cpp",
                "measures/coevolution/_native/LSODA.cpp",
            ],
            language="c++",
            extra_compile_args=["-O2", "-std=c++14", "-DNDEBUG"],
            optional=True,
        )
    ]
)
