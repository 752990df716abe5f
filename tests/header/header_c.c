/* The public header compiles as strict C99 and its basic calls link. */
#include <smtpstatus.h>
#include <string.h>

int main(void) {
    smtpstatus_status st;
    size_t used = 0;
    if (strcmp(smtpstatus_version(), SMTPSTATUS_VERSION_STRING) != 0)
        return 1;
    if (smtpstatus_status_parse("5.1.1", 5, &st, &used) != SMTPSTATUS_OK)
        return 2;
    if (st.klass != 5 || st.subject != 1 || st.detail != 1 || used != 5)
        return 3;
    return 0;
}
