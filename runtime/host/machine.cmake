# SPDX-License-Identifier: MIT
# Host tests of the runtime's scheduler, waiting, futexes, signals and waiting descriptions (label:
# unit), run unchanged on the fake machine of host/machine.cpp (ucontext threads, a fake clock and
# timer, an interrupt flag, injectable device interrupts), under ASan and UBSan. Included from
# runtime/host/CMakeLists.txt.
add_executable(ukrt_machine_tests
    fakes.cpp
    fs_fakes.cpp
    machine.cpp
    memory.cpp
    ramfs_fakes.cpp
    threads.cpp
    ${runtime}/arch/spin_lock.cpp
    ${runtime}/fs/directory.cpp
    ${runtime}/fs/epoll.cpp
    ${runtime}/fs/eventfd.cpp
    ${runtime}/fs/fd_table.cpp
    ${runtime}/fs/file_description.cpp
    ${runtime}/fs/inode.cpp
    ${runtime}/fs/page_tree.cpp
    ${runtime}/fs/path.cpp
    ${runtime}/fs/pipe.cpp
    ${runtime}/fs/ramfs.cpp
    ${runtime}/fs/timerfd.cpp
    ${runtime}/fs/vfs.cpp
    ${runtime}/lib/format.cpp
    ${runtime}/lib/string.cpp
    ${runtime}/mm/kmalloc.cpp
    ${runtime}/mm/slab.cpp
    ${runtime}/sched/clock.cpp
    ${runtime}/sched/futex.cpp
    ${runtime}/sched/scheduler.cpp
    ${runtime}/sched/signal.cpp
    ${runtime}/sched/wait_queue.cpp
    # The tests.
    ${runtime}/arch/spin_lock_test.cpp
    ${runtime}/fs/epoll_test.cpp
    ${runtime}/fs/event_files_test.cpp
    ${runtime}/fs/fd_table_test.cpp
    ${runtime}/fs/pipe_test.cpp
    ${runtime}/sched/futex_test.cpp
    ${runtime}/sched/scheduler_test.cpp
    ${runtime}/sched/signal_test.cpp
    ${runtime}/sched/wait_queue_test.cpp
)
target_include_directories(ukrt_machine_tests PRIVATE ${runtime})
target_compile_features(ukrt_machine_tests PRIVATE cxx_std_20)
# UKSDK_VERIFY_INTERRUPT_STATE: every `_locked` operation checks that interrupts are disabled
# (arch/arch.h), which the fake machine's interrupt flag makes meaningful. UKSDK_RUNTIME_DEBUG:
# the debug build's lock checks (arch/spin_lock.h): the order of every acquisition, and that the
# `_locked` operations' callers hold the SchedulerLock.
target_compile_definitions(ukrt_machine_tests PRIVATE UKSDK_VERIFY_INTERRUPT_STATE UKSDK_RUNTIME_DEBUG)
target_compile_options(ukrt_machine_tests PRIVATE -Wall -Wextra
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
target_link_options(ukrt_machine_tests PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all)
target_link_libraries(ukrt_machine_tests PRIVATE GTest::gtest GTest::gtest_main)
gtest_discover_tests(ukrt_machine_tests PROPERTIES LABELS unit)
