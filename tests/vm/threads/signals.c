/* SPDX-License-Identifier: MIT */
/* Signals between threads and from the CPU, robust and priority-inheritance mutexes: each case
 * prints "<case> ok" or FAIL lines. The same source builds for the host (cc -pthread signals.c),
 * where every case passes on Linux too. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../fs/check.h"

static void sleep_ms(int ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };
    while (nanosleep(&t, &t) != 0 && errno == EINTR) { }
}

static void install(int signal, void (*handler)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(signal, &sa, NULL));
}

/* A handler runs in the thread a signal is sent to, even one that never makes a system call. */
static volatile sig_atomic_t g_handled_in;
static volatile int g_stop;
static pthread_t g_spinner_id;

static void note_thread(int signal)
{
    (void)signal;
    g_handled_in = pthread_equal(pthread_self(), g_spinner_id) ? 1 : 2;
    g_stop = 1;
}

static void* spin_until_stopped(void* arg)
{
    (void)arg;
    volatile unsigned long n = 0;
    while (!g_stop)
        ++n; /* Pure computation: no system call, ever. */
    return NULL;
}

static int case_kill_spinning_thread(void)
{
    install(SIGUSR1, note_thread, 0);
    CHECK(pthread_create(&g_spinner_id, NULL, spin_until_stopped, NULL) == 0);
    sleep_ms(20);
    CHECK(pthread_kill(g_spinner_id, SIGUSR1) == 0);
    CHECK(pthread_join(g_spinner_id, NULL) == 0);
    CHECK(g_handled_in == 1);
    return finish("kill-spinning-thread");
}

/* The same for a thread that spends its time in leaf calls (getpid, gettid, getuid: the runtime
 * returns from those without looking for signals, as from program code): the signal still
 * arrives, through the interrupt that tells its CPU. */
static void* call_leaves_until_stopped(void* arg)
{
    (void)arg;
    volatile long sum = 0;
    while (!g_stop)
        sum += getpid() + gettid() + getuid();
    return NULL;
}

static int case_kill_leaf_caller(void)
{
    install(SIGUSR1, note_thread, 0);
    CHECK(pthread_create(&g_spinner_id, NULL, call_leaves_until_stopped, NULL) == 0);
    sleep_ms(20);
    CHECK(pthread_kill(g_spinner_id, SIGUSR1) == 0);
    CHECK(pthread_join(g_spinner_id, NULL) == 0);
    CHECK(g_handled_in == 1);
    return finish("kill-leaf-caller");
}

/* A thread blocked in read: a handler without SA_RESTART makes read fail with EINTR; with
 * SA_RESTART the read goes on and gets the data written later. */
static int g_pipe[2];
static volatile sig_atomic_t g_handler_runs;
static void count_run(int signal)
{
    (void)signal;
    ++g_handler_runs;
}

static void* blocked_reader(void* arg)
{
    char c;
    ssize_t r = read(g_pipe[0], &c, 1);
    *(int*)arg = r == 1 ? c : (r < 0 ? -errno : -1000);
    return NULL;
}

static int case_interrupt_and_restart(void)
{
    CHECK_OK(pipe(g_pipe));
    int result = 0;
    pthread_t t;
    install(SIGUSR2, count_run, 0);
    pthread_create(&t, NULL, blocked_reader, &result);
    sleep_ms(50);
    pthread_kill(t, SIGUSR2);
    pthread_join(t, NULL);
    CHECK(result == -EINTR);
    CHECK(g_handler_runs == 1);
    install(SIGUSR2, count_run, SA_RESTART);
    pthread_create(&t, NULL, blocked_reader, &result);
    sleep_ms(50);
    pthread_kill(t, SIGUSR2);
    sleep_ms(50);
    CHECK(write(g_pipe[1], "r", 1) == 1);
    pthread_join(t, NULL);
    CHECK(result == 'r');
    CHECK(g_handler_runs == 2);
    close(g_pipe[0]);
    close(g_pipe[1]);
    return finish("interrupt-and-restart");
}

/* Asynchronous cancellation of a thread that only computes. */
static void* cancellable_spinner(void* arg)
{
    (void)arg;
    CHECK(pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL) == 0);
    volatile unsigned long n = 0;
    for (;;)
        ++n;
    return NULL;
}

static int case_async_cancel(void)
{
    pthread_t t;
    pthread_create(&t, NULL, cancellable_spinner, NULL);
    sleep_ms(20);
    CHECK(pthread_cancel(t) == 0);
    void* status = NULL;
    CHECK(pthread_join(t, &status) == 0);
    CHECK(status == PTHREAD_CANCELED);
    return finish("async-cancel");
}

/* A stack overflow reported by a SIGSEGV handler on the alternate stack. */
static sigjmp_buf g_recover;
static volatile uintptr_t g_fault_address, g_handler_sp;
static char* g_altstack;

static void on_segv(int signal, siginfo_t* info, void* context)
{
    (void)signal;
    (void)context;
    int marker;
    g_handler_sp = (uintptr_t)&marker;
    g_fault_address = (uintptr_t)info->si_addr;
    siglongjmp(g_recover, 1);
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    return recurse(depth + 1) + pad[0];
}

static void* overflow_thread(void* arg)
{
    (void)arg;
    stack_t ss = { .ss_sp = g_altstack, .ss_size = 65536, .ss_flags = 0 };
    CHECK_OK(sigaltstack(&ss, NULL));
    stack_t now;
    CHECK_OK(sigaltstack(NULL, &now));
    CHECK(now.ss_sp == g_altstack && now.ss_size == 65536 && now.ss_flags == 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    CHECK_OK(sigaction(SIGSEGV, &sa, NULL));
    if (sigsetjmp(g_recover, 1) == 0) {
        recurse(0);
        CHECK(!"recursion returned");
    }
    return NULL;
}

static int case_stack_overflow_handler(void)
{
    g_altstack = malloc(65536);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t t;
    pthread_create(&t, &attr, overflow_thread, NULL);
    pthread_join(t, NULL);
    CHECK(g_fault_address != 0);
    CHECK(g_handler_sp >= (uintptr_t)g_altstack && g_handler_sp < (uintptr_t)g_altstack + 65536);
    signal(SIGSEGV, SIG_DFL);
    return finish("stack-overflow-handler");
}

/* SIGFPE from an integer division by zero, caught and recovered from. */
static sigjmp_buf g_fpe_recover;
static volatile int g_fpe_code;
static void on_fpe(int signal, siginfo_t* info, void* context)
{
    (void)signal;
    (void)context;
    g_fpe_code = info->si_code;
    siglongjmp(g_fpe_recover, 1);
}

static int case_fpe_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGFPE, &sa, NULL));
    volatile int zero = 0;
    volatile int result = 0;
    if (sigsetjmp(g_fpe_recover, 1) == 0)
        result = 10 / zero;
    CHECK(g_fpe_code == FPE_INTDIV);
    (void)result;
    /* The mask was restored by siglongjmp: SIGFPE is deliverable again. */
    g_fpe_code = 0;
    if (sigsetjmp(g_fpe_recover, 1) == 0)
        result = 20 / zero;
    CHECK(g_fpe_code == FPE_INTDIV);
    signal(SIGFPE, SIG_DFL);
    return finish("fpe-handler");
}

/* sigsuspend waits for a signal another thread sends; sigtimedwait takes a blocked one with its
 * sigqueue value, or times out. */
static pthread_t g_main_thread;
static void* send_usr1_soon(void* arg)
{
    (void)arg;
    sleep_ms(50);
    pthread_kill(g_main_thread, SIGUSR1);
    return NULL;
}

static volatile sig_atomic_t g_suspended_got;
static void on_usr1(int signal) { g_suspended_got = signal; }

static int case_sigsuspend_sigtimedwait(void)
{
    g_main_thread = pthread_self();
    sigset_t block, old, wait_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, &old));
    install(SIGUSR1, on_usr1, 0);
    pthread_t t;
    pthread_create(&t, NULL, send_usr1_soon, NULL);
    sigemptyset(&wait_mask);
    CHECK_ERRNO(sigsuspend(&wait_mask), EINTR);
    CHECK(g_suspended_got == SIGUSR1);
    pthread_join(t, NULL);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1));
    /* sigtimedwait: a queued value arrives through siginfo. */
    union sigval value = { .sival_int = 4242 };
    CHECK_OK(sigqueue(getpid(), SIGUSR1, value));
    siginfo_t info;
    struct timespec timeout = { 1, 0 };
    CHECK(sigtimedwait(&block, &info, &timeout) == SIGUSR1);
    CHECK(info.si_code == SI_QUEUE && info.si_value.sival_int == 4242);
    timeout = (struct timespec) { 0, 30000000 };
    CHECK_ERRNO(sigtimedwait(&block, &info, &timeout), EAGAIN);
    /* sigwait from another thread. */
    pthread_create(&t, NULL, send_usr1_soon, NULL);
    int got = 0;
    CHECK(sigwait(&block, &got) == 0 && got == SIGUSR1);
    pthread_join(t, NULL);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    signal(SIGUSR1, SIG_DFL);
    return finish("sigsuspend-sigtimedwait");
}

/* kill() of the process picks a thread that does not block the signal. */
static volatile sig_atomic_t g_process_signal_in_worker;
static pthread_t g_worker_id;
static void on_process_signal(int signal)
{
    (void)signal;
    g_process_signal_in_worker = pthread_equal(pthread_self(), g_worker_id) ? 1 : 2;
}

static void* idle_worker(void* arg)
{
    (void)arg;
    while (!g_process_signal_in_worker)
        sleep_ms(5);
    return NULL;
}

static int case_process_directed(void)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    install(SIGUSR2, on_process_signal, SA_RESTART);
    CHECK_OK(pthread_sigmask(SIG_BLOCK, &block, &old));
    /* Every thread blocks it: it stays pending for the process. */
    pthread_create(&g_worker_id, NULL, idle_worker, NULL); /* Inherits the mask. */
    CHECK_OK(kill(getpid(), SIGUSR2));
    sleep_ms(50);
    CHECK(g_process_signal_in_worker == 0);
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGUSR2));
    pthread_cancel(g_worker_id);
    pthread_join(g_worker_id, NULL);
    /* The first thread to unblock it takes it: here, the main thread. */
    CHECK_OK(pthread_sigmask(SIG_UNBLOCK, &block, NULL));
    CHECK(g_process_signal_in_worker == 2);
    /* A thread that does not block it takes it when the sender does block it. */
    g_process_signal_in_worker = 0;
    pthread_create(&g_worker_id, NULL, idle_worker, NULL); /* Created unblocked. */
    CHECK_OK(pthread_sigmask(SIG_BLOCK, &block, NULL));
    CHECK_OK(kill(getpid(), SIGUSR2));
    pthread_join(g_worker_id, NULL);
    CHECK(g_process_signal_in_worker == 1);
    CHECK_OK(pthread_sigmask(SIG_SETMASK, &old, NULL));
    signal(SIGUSR2, SIG_DFL);
    return finish("process-directed");
}

/* A robust mutex whose owner exits holding it: the next locker gets EOWNERDEAD. */
static pthread_mutex_t g_robust;
static void* lock_and_exit(void* arg)
{
    (void)arg;
    CHECK(pthread_mutex_lock(&g_robust) == 0);
    return NULL; /* Exits holding it. */
}

static int case_robust_mutex(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    CHECK(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) == 0);
    CHECK(pthread_mutex_init(&g_robust, &attr) == 0);
    pthread_t t;
    pthread_create(&t, NULL, lock_and_exit, NULL);
    pthread_join(t, NULL);
    CHECK(pthread_mutex_lock(&g_robust) == EOWNERDEAD);
    CHECK(pthread_mutex_consistent(&g_robust) == 0);
    CHECK(pthread_mutex_unlock(&g_robust) == 0);
    CHECK(pthread_mutex_lock(&g_robust) == 0);
    CHECK(pthread_mutex_unlock(&g_robust) == 0);
    /* An owner that dies while another thread waits for the lock. */
    pthread_create(&t, NULL, lock_and_exit, NULL);
    sleep_ms(20);
    int r = pthread_mutex_lock(&g_robust);
    pthread_join(t, NULL);
    CHECK(r == EOWNERDEAD);
    pthread_mutex_consistent(&g_robust);
    pthread_mutex_unlock(&g_robust);
    pthread_mutex_destroy(&g_robust);
    return finish("robust-mutex");
}

/* Priority-inheritance mutexes: the protocol works under contention. */
static pthread_mutex_t g_pi;
static long g_pi_counter;
static void* pi_worker(void* arg)
{
    (void)arg;
    for (int i = 0; i < 20000; ++i) {
        CHECK(pthread_mutex_lock(&g_pi) == 0);
        ++g_pi_counter;
        if (i % 1000 == 0)
            sched_yield(); /* Hold it across a switch: others must wait in the runtime. */
        CHECK(pthread_mutex_unlock(&g_pi) == 0);
    }
    return NULL;
}

static int case_pi_mutex(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    CHECK(pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT) == 0);
    int protocol = -1;
    pthread_mutexattr_getprotocol(&attr, &protocol);
    CHECK(protocol == PTHREAD_PRIO_INHERIT);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    CHECK(pthread_mutex_init(&g_pi, &attr) == 0);
    pthread_t t[4];
    for (int i = 0; i < 4; ++i)
        pthread_create(&t[i], NULL, pi_worker, NULL);
    for (int i = 0; i < 4; ++i)
        pthread_join(t[i], NULL);
    CHECK(g_pi_counter == 80000);
    CHECK(pthread_mutex_lock(&g_pi) == 0);
    CHECK(pthread_mutex_lock(&g_pi) == EDEADLK);
    int busy = pthread_mutex_trylock(&g_pi);
    CHECK(busy == EBUSY || busy == EDEADLK); /* POSIX says EBUSY; glibc says EDEADLK. */
    CHECK(pthread_mutex_unlock(&g_pi) == 0);
    CHECK(pthread_mutex_unlock(&g_pi) == EPERM);
    pthread_mutex_destroy(&g_pi);
    return finish("pi-mutex");
}

int main(int argc, char** argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char* c = argc > 1 ? argv[1] : "";
    if (!strcmp(c, "kill-spinning-thread"))
        return case_kill_spinning_thread();
    if (!strcmp(c, "kill-leaf-caller"))
        return case_kill_leaf_caller();
    if (!strcmp(c, "interrupt-and-restart"))
        return case_interrupt_and_restart();
    if (!strcmp(c, "async-cancel"))
        return case_async_cancel();
    if (!strcmp(c, "stack-overflow-handler"))
        return case_stack_overflow_handler();
    if (!strcmp(c, "fpe-handler"))
        return case_fpe_handler();
    if (!strcmp(c, "sigsuspend-sigtimedwait"))
        return case_sigsuspend_sigtimedwait();
    if (!strcmp(c, "process-directed"))
        return case_process_directed();
    if (!strcmp(c, "robust-mutex"))
        return case_robust_mutex();
    if (!strcmp(c, "pi-mutex"))
        return case_pi_mutex();
    printf("unknown case '%s'\n", c);
    return 2;
}
