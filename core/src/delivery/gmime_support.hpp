#pragma once
// Ownership of GMime/GLib objects in C++ and GMime's one-time initialisation,
// shared by the files that build and read messages.
#include <gmime/gmime.h>

#include <memory>
#include <mutex>

namespace outreach::gmime {

// g_mime_init() is not reentrant; the scheduler, the CLI and tests may build
// messages from several threads.
inline void ensure_initialized() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

struct GObjectUnref {
    void operator()(gpointer object) const {
        if (object) g_object_unref(object);
    }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GFreeDeleter {
    void operator()(gpointer memory) const { g_free(memory); }
};
using GCharPtr = std::unique_ptr<char, GFreeDeleter>;

}  // namespace outreach::gmime
