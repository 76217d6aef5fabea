// SPDX-License-Identifier: MIT
// RTTI: dynamic_cast through a hierarchy with virtual bases (down, up, across, to void*, failing),
// typeid of objects, pointers and builtin types, demangled type names, type_index.
#include "check.h"

#include <cxxabi.h>
#include <cstdlib>
#include <memory>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>

namespace shapes {

struct Node {
    virtual ~Node() = default;
    int id = 1;
};
// A diamond over a virtual base: one Node inside every Widget.
struct Drawable : virtual Node {
    virtual std::string draw() const { return "drawable"; }
};
struct Clickable : virtual Node {
    virtual int clicks() const { return 0; }
};
struct Widget : Drawable, Clickable {
    std::string draw() const override { return "widget"; }
    int clicks() const override { return 3; }
};
struct Button final : Widget {
    std::string draw() const override { return "button"; }
};
// Two separate (non-virtual) Tag bases make Tag ambiguous in Ambiguous.
struct Tag {
    virtual ~Tag() = default;
};
struct TagA : Tag { };
struct TagB : Tag { };
struct Ambiguous : TagA, TagB { };
struct Unrelated {
    virtual ~Unrelated() = default;
};

} // namespace shapes

namespace {

std::string demangle(const char* name)
{
    int status = 0;
    char* text = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    std::string result = status == 0 ? text : name;
    std::free(text);
    return result;
}

using namespace shapes;

void test_dynamic_cast()
{
    auto button = std::make_unique<Button>();
    Node* node = button.get(); // Through the virtual base.

    // Down from the virtual base, which a static_cast cannot do.
    CHECK(dynamic_cast<Button*>(node) == button.get());
    CHECK(dynamic_cast<Widget*>(node) == static_cast<Widget*>(button.get()));
    // Across: from one branch of the diamond to the other.
    Drawable* drawable = dynamic_cast<Drawable*>(node);
    CHECK(drawable != nullptr);
    Clickable* clickable = dynamic_cast<Clickable*>(drawable);
    CHECK(clickable != nullptr);
    if (clickable)
        CHECK_EQ(clickable->clicks(), 3);
    if (drawable)
        CHECK_EQ(drawable->draw(), "button");
    // To void*: the most derived object, whatever the starting subobject.
    CHECK(dynamic_cast<void*>(clickable) == static_cast<void*>(button.get()));
    CHECK(dynamic_cast<void*>(node) == static_cast<void*>(button.get()));
    // Failing casts.
    CHECK(dynamic_cast<Unrelated*>(node) == nullptr);
    Widget plain;
    Node* plain_node = &plain;
    CHECK(dynamic_cast<Button*>(plain_node) == nullptr);
    CHECK(dynamic_cast<Widget*>(plain_node) == &plain);
    try {
        (void)dynamic_cast<Button&>(*plain_node);
        CHECK(!"a reference cast to the wrong type succeeded");
    } catch (const std::bad_cast& e) {
        CHECK_EQ(std::string(e.what()), "std::bad_cast");
    }
    // An ambiguous base: the cast finds two Tags and gives nullptr.
    Ambiguous ambiguous;
    TagA* tag_a = &ambiguous;
    Tag* tag = tag_a;
    CHECK(dynamic_cast<Ambiguous*>(tag) == &ambiguous);
    CHECK(dynamic_cast<TagB*>(tag) == static_cast<TagB*>(&ambiguous));
}

void test_typeid()
{
    Button button;
    Node& node = button;
    Clickable& clickable = button;
    CHECK(typeid(node) == typeid(Button)); // Dynamic type of a polymorphic object.
    CHECK(typeid(clickable) == typeid(Button));
    CHECK(typeid(&node) == typeid(Node*)); // Static type of a pointer.
    CHECK(typeid(node) != typeid(Widget));
    CHECK(typeid(const Button) == typeid(Button)); // Top-level cv-qualifiers are ignored.
    CHECK_EQ(std::string(typeid(int).name()), "i");
    CHECK_EQ(demangle(typeid(node).name()), "shapes::Button");
    CHECK_EQ(demangle(typeid(&clickable).name()), "shapes::Clickable*");
    CHECK_EQ(demangle(typeid(std::string).name()),
        "std::__1::basic_string<char, std::__1::char_traits<char>, std::__1::allocator<char>>");
    CHECK_EQ(demangle(typeid(void (*)(int, double)).name()), "void (*)(int, double)");
    CHECK(typeid(Widget).before(typeid(Button)) != typeid(Button).before(typeid(Widget)));

    Node* null_node = nullptr;
    try {
        (void)typeid(*null_node);
        CHECK(!"typeid of a null polymorphic lvalue did not throw");
    } catch (const std::bad_typeid&) {
    }

    std::unordered_map<std::type_index, std::string> names;
    names[typeid(Button)] = "button";
    names[typeid(Widget)] = "widget";
    names[typeid(int)] = "int";
    Widget widget;
    Node& widget_node = widget;
    CHECK_EQ(names.at(typeid(node)), "button");
    CHECK_EQ(names.at(typeid(widget_node)), "widget");
    CHECK_EQ(names.size(), 3u);
}

} // namespace

int main()
{
    test_dynamic_cast();
    test_typeid();
    return finish("rtti");
}
