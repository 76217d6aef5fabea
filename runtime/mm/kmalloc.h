// SPDX-License-Identifier: MIT
// The runtime's own heap: kmalloc for objects up to 2016 bytes, whole pages for bigger buffers,
// and make<T>() as the runtime's `new (std::nothrow)`. All memory comes zeroed; null means the
// machine is out of memory (callers turn that into ENOMEM or ENOSPC).
#pragma once

#include "lib/types.h"

#if __has_include(<new>)
#include <new>
#else
// The runtime is built without a C++ library; placement new is all it needs from <new>.
#include "lib/placement_new.h"
#endif

namespace uk {

void* kmalloc(size_t size);
void kfree(void* pointer);
// Pages are separate from kmalloc: a page has no room for a slab header. Its contents are
// unspecified (on the host: whatever it held before).
void* allocate_page();
void free_page(void* page);
// Pages the runtime heap holds (slabs and whole pages), for /proc/meminfo.
u64 kernel_heap_pages();

template<typename T>
struct RemoveReference {
    using Type = T;
};
template<typename T>
struct RemoveReference<T&> {
    using Type = T;
};
template<typename T>
constexpr T&& forward(typename RemoveReference<T>::Type& value) noexcept
{
    return static_cast<T&&>(value);
}

template<typename T, typename... Args>
T* make(Args&&... args)
{
    static_assert(sizeof(T) <= 2016, "make<T>: objects larger than a slab block need pages");
    void* memory = kmalloc(sizeof(T));
    if (!memory)
        return nullptr;
    return new (memory) T(forward<Args>(args)...);
}

// Runs T's destructor and frees the memory of an object from make<T>().
template<typename T>
void destroy(T* object)
{
    if (!object)
        return;
    object->~T();
    kfree(object);
}

}
