# cython: language_level=3, boundscheck=False, wraparound=False
"""The scan's walk over the cells of a sheet part, compiled against lxml's tree.

The Python walk in :mod:`.container` is the reference: it runs inside LibreOffice, on parts
read as a stream, and whenever this walk declines. This walk reads the tree lxml has already
built (struct fields only, no libxml2 calls, nothing allocated in C) and answers only for the
plain case: no formula, no nested rows, repeat counts and row numbers written as plain digits.
Anything else returns None and the Python walk gives its verdict and its exact message. Value
syntax is still checked in Python by the same functions, on the values this walk hands back.
"""

cimport lxml.includes.etreepublic as cetree
from lxml.includes.tree cimport (xmlAttr, xmlNode, XML_CDATA_SECTION_NODE, XML_COMMENT_NODE,
                                 XML_ELEMENT_NODE, XML_ENTITY_REF_NODE, XML_PI_NODE, XML_TEXT_NODE)
from libc.string cimport strcmp

cdef extern from *:
    const char* BUILT_FOR_LXML  # defined by setup.py

import lxml

if lxml.__version__ != (<bytes>BUILT_FOR_LXML).decode():  # the tree's structs are those of that version
    raise ImportError(f"built for lxml {(<bytes>BUILT_FOR_LXML).decode()}, not {lxml.__version__}")
cetree.import_lxml__etree()

cdef const char* _TABLE = b"urn:oasis:names:tc:opendocument:xmlns:table:1.0"
cdef const char* _OFFICE = b"urn:oasis:names:tc:opendocument:xmlns:office:1.0"
cdef const char* _SSML = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
cdef const char* _EMPTY = b""
cdef long long _BIG = 1000000000  # a repeat count beyond this is left to the Python walk


cdef inline bint _is(xmlNode* node, const char* href, const char* name):
    return (node.type == XML_ELEMENT_NODE and node.ns is not NULL and node.ns.href is not NULL
            and strcmp(<const char*>node.name, name) == 0 and strcmp(<const char*>node.ns.href, href) == 0)


cdef inline xmlAttr* _attribute(xmlNode* node, const char* href, const char* name):
    """The attribute ``name`` in namespace ``href`` (NULL: no namespace), or NULL."""
    cdef xmlAttr* attr = node.properties
    while attr is not NULL:
        if strcmp(<const char*>attr.name, name) == 0:
            if href is NULL:
                if attr.ns is NULL:
                    return attr
            elif attr.ns is not NULL and attr.ns.href is not NULL and strcmp(<const char*>attr.ns.href, href) == 0:
                return attr
        attr = attr.next
    return NULL


cdef inline const char* _value(xmlAttr* attr):
    """An attribute's text; NULL when it is not one plain text node (left to Python)."""
    if attr.children is NULL:
        return _EMPTY
    if attr.children.type != XML_TEXT_NODE or attr.children.next is not NULL:
        return NULL
    if attr.children.content is NULL:
        return _EMPTY
    return <const char*>attr.children.content


cdef inline long long _digits(const char* text):
    """A count written as plain ASCII digits, at least 1 and at most _BIG; -1 otherwise."""
    cdef long long n = 0
    cdef int i = 0
    if text is NULL or text[0] == 0:
        return -1
    while text[i] != 0:
        if text[i] < 48 or text[i] > 57 or i > 10:
            return -1
        n = n * 10 + (text[i] - 48)
        i += 1
    return n if 1 <= n <= _BIG else -1


cdef inline bint _counts(xmlNode* node):
    """What lxml's len() counts: elements, comments, entity references, processing instructions."""
    cdef xmlNode* child = node.children
    while child is not NULL:
        if child.type in (XML_ELEMENT_NODE, XML_COMMENT_NODE, XML_ENTITY_REF_NODE, XML_PI_NODE):
            return True
        child = child.next
    return False


cdef inline xmlNode* _next_element(xmlNode* node):
    while node is not NULL and node.type != XML_ELEMENT_NODE:
        node = node.next
    return node


cdef inline xmlNode* _step(xmlNode* node, xmlNode* top, bint* ends):
    """The next event of a walk over the elements below ``top`` in document order, as the
    events of lxml's iterwalk come: the node whose start (``ends`` false) or end comes next;
    NULL after ``top`` ends."""
    cdef xmlNode* following
    if not ends[0]:
        following = _next_element(node.children)
        if following is not NULL:
            return following
        ends[0] = True  # an element without elements ends at once
        return node
    if node is top:
        return NULL
    following = _next_element(node.next)
    if following is not NULL:
        ends[0] = False
        return following
    return node.parent


def ods_tables(cetree._Element root, dict checked):
    """The tables of an ODS content part: [(name, rows, columns, checks)], in document order.

    rows and columns are the used area (repeats counted); checks are (value type, value text,
    row, column) of the cells whose value type is a key of ``checked`` (value type -> the
    attribute holding the value). None: the Python walk decides."""
    cdef xmlNode* top = root._c_node
    cdef xmlNode* node = top
    cdef xmlNode* cell
    cdef xmlAttr* attr
    cdef const char* text
    cdef int depth = 0
    cdef bint in_row = False
    cdef long long row = 0, rows = 0, columns = 0, repeat, n, col, last
    cdef bint ends = False
    tables = []
    checks = None
    name = None
    while node is not NULL:
        if not ends:
            if _is(node, _TABLE, b"table"):
                depth += 1
                if depth == 1:
                    attr = _attribute(node, _TABLE, b"name")
                    if attr is NULL:
                        name = ""
                    else:
                        text = _value(attr)
                        if text is NULL:
                            return None
                        name = (<bytes>text).decode("utf-8")
                    row = rows = columns = 0
                    checks = []
            elif depth == 1 and _is(node, _TABLE, b"table-row"):
                if in_row:
                    return None  # a row inside a row: the Python walk's order applies
                in_row = True
        elif _is(node, _TABLE, b"table"):
            if depth == 1:
                tables.append((name, rows, columns, checks))
            depth -= 1
        elif depth == 1 and _is(node, _TABLE, b"table-row"):
            in_row = False
            attr = _attribute(node, _TABLE, b"number-rows-repeated")
            repeat = 1 if attr is NULL else _digits(_value(attr))
            if repeat < 0:
                return None
            col = last = 0
            cell = node.children
            while cell is not NULL:
                if _is(cell, _TABLE, b"table-cell") or _is(cell, _TABLE, b"covered-table-cell"):
                    attr = _attribute(cell, _TABLE, b"number-columns-repeated")
                    n = 1 if attr is NULL else _digits(_value(attr))
                    if n < 0:
                        return None
                    attr = _attribute(cell, _TABLE, b"formula")
                    if attr is not NULL:
                        text = _value(attr)
                        if text is NULL or text[0] != 0:
                            return None  # formulas are collected by the Python walk
                    attr = _attribute(cell, _OFFICE, b"value-type")
                    text = _EMPTY if attr is NULL else _value(attr)
                    if text is NULL:
                        return None
                    if text[0] != 0 or _counts(cell):
                        if text[0] != 0:
                            kind = (<bytes>text).decode("utf-8", "replace")
                            attribute = checked.get(kind)
                            if attribute is not None:
                                attr = _attribute(cell, _OFFICE, <const char*>attribute)
                                if attr is NULL:
                                    checks.append((kind, None, row, col))
                                else:
                                    text = _value(attr)
                                    if text is NULL:
                                        return None
                                    checks.append((kind, (<bytes>text).decode("utf-8"), row, col))
                        last = col + n
                    col += n
                cell = cell.next
            if last:
                rows = max(rows, row + repeat)
                columns = max(columns, last)
            row += repeat
        node = _step(node, top, &ends)
    return tables


cdef inline long long _column(const char* ref, long long* row_out):
    """"AB12" -> 28 and row 12; -1 when it is not a reference the Python walk accepts."""
    cdef int i = 0, letters = 0, digits = 0
    cdef long long col = 0, row = 0
    while ref[i] >= 65 and ref[i] <= 90:
        col = col * 26 + (ref[i] - 64)
        letters += 1
        i += 1
    if letters < 1 or letters > 3 or ref[i] == 48:
        return -1
    while ref[i] >= 48 and ref[i] <= 57:
        row = row * 10 + (ref[i] - 48)
        digits += 1
        i += 1
    if ref[i] != 0 or digits < 1 or digits > 7:
        return -1
    row_out[0] = row
    return col


cdef object _text(xmlNode* node):
    """lxml's ``.text``: the text and CDATA nodes before the first other child."""
    cdef xmlNode* child = node.children
    parts = []
    while child is not NULL and child.type in (XML_TEXT_NODE, XML_CDATA_SECTION_NODE):
        if child.content is not NULL:
            parts.append(<bytes>child.content)
        child = child.next
    return b"".join(parts)


def xlsx_sheet(cetree._Element root, long long strings, kinds, checked, long long row_numbers):
    """The used area of a worksheet part and the values the scan checks:
    (rows, columns, [(type, text)]). None: the Python walk decides.

    ``kinds``: the cell types a file may use; ``checked``: those whose values are checked (as
    bytes); ``row_numbers``: a row's own number is below it. A shared-string index written as
    plain digits is checked here against ``strings``."""
    cdef xmlNode* top = root._c_node
    cdef xmlNode* node = top
    cdef xmlNode* child
    cdef xmlNode* cell
    cdef xmlAttr* attr
    cdef const char* text
    cdef bint in_row = False
    cdef long long row = 0, col = 0, rows = 0, columns = 0, number, position, r_top, r_right
    cdef int i
    cdef bint ends = False
    checks = []
    while node is not NULL:
        if not ends:
            if _is(node, _SSML, b"row"):
                if in_row:
                    return None
                in_row = True
            elif _is(node, _SSML, b"c") and node.parent is not NULL and _is(node.parent, _SSML, b"sheetData"):
                return None  # a cell outside any row: the Python walk places it
        elif _is(node, _SSML, b"row"):
            in_row = False
            attr = _attribute(node, NULL, b"r")
            if attr is not NULL:
                number = _digits(_value(attr))
                if number < 1 or number >= row_numbers:
                    return None
                row = number
            else:
                row += 1
            col = 0
            r_top = r_right = 0
            cell = node.children
            while cell is not NULL:
                if _is(cell, _SSML, b"c"):
                    attr = _attribute(cell, NULL, b"r")
                    text = _EMPTY if attr is NULL else _value(attr)
                    if text is NULL:
                        return None
                    if text[0] != 0:
                        col = _column(text, &row)
                        if col < 0:
                            return None
                    else:
                        row = max(row, 1)
                        col += 1
                    r_right = max(r_right, col)
                    r_top = max(r_top, row)
                    attr = _attribute(cell, NULL, b"t")
                    if attr is NULL:
                        kind = b"n"
                    else:
                        text = _value(attr)
                        if text is NULL:
                            return None
                        kind = <bytes>text
                        if kind not in kinds:
                            return None
                    if _counts(cell):
                        child = cell.children
                        while child is not NULL:
                            if _is(child, _SSML, b"f"):
                                return None  # formulas are collected by the Python walk
                            if _is(child, _SSML, b"v"):
                                value = _text(child)
                                if kind == b"s" and 0 < len(value) < 18 and value.isdigit():
                                    if int(value) >= strings:
                                        return None
                                elif kind in checked:
                                    checks.append((kind.decode("ascii"), value.decode("utf-8")))
                            child = child.next
                cell = cell.next
            if r_right:
                rows = max(rows, r_top)
                columns = max(columns, r_right)
        node = _step(node, top, &ends)
    return rows, columns, checks
