/*
 * The JNI functions the image builder's progress reporter loads from <java.home>/lib/svm/builder/lib (a GraalVM
 * ships this library; a plain JDK does not): the terminal's width in columns (0 when output is no terminal) and
 * the builder process's peak resident set size in bytes.
 */
#include <jni.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *env, jclass type) {
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) {
        return size.ws_col;
    }
    return 0;
}

JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *env, jclass type) {
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) == 0) {
        return (jlong) usage.ru_maxrss * 1024; /* Linux reports kilobytes */
    }
    return -1;
}
