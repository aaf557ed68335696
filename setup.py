"""The one compiled part: the safety scan's cell walk (src/roadmap_office/reading/_cells.pyx).

It is optional: without a C compiler, Cython or lxml's headers the package installs without
it and the scan walks the cells in Python (as it does inside LibreOffice).
"""

from setuptools import Extension, setup


def _extensions() -> list:
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:
        return []
    # the lxml it is built against: loaded beside another, it steps aside (its tree's layout may differ)
    walk = Extension("roadmap_office.reading._cells", ["src/roadmap_office/reading/_cells.pyx"],
                     include_dirs=lxml.get_include(), optional=True,
                     define_macros=[("BUILT_FOR_LXML", f'"{lxml.__version__}"')])
    return cythonize([walk], language_level=3, quiet=True)


setup(ext_modules=_extensions())
