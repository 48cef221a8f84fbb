#include "text.hpp"

#include <stdexcept>

namespace svfix {

namespace {
ustr call_method(const ustr& s, const char* method) {
    PyObject* obj = to_py(s);
    if (!obj) throw std::runtime_error("svfix: cannot make a str");
    PyObject* out = PyObject_CallMethod(obj, method, nullptr);
    Py_DECREF(obj);
    if (!out) throw std::runtime_error("svfix: str method failed");
    ustr result = from_py(out);
    Py_DECREF(out);
    return result;
}
}  // namespace

ustr py_lower_slow(const ustr& s) { return call_method(s, "lower"); }
ustr py_upper(const ustr& s) { return call_method(s, "upper"); }

}  // namespace svfix
