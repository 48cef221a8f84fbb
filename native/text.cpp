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

std::string to_utf8(const ustr& s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t c : s) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

}  // namespace svfix
