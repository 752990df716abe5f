// The public header compiles as C++ and its calls link from C++.
#include <smtpstatus.h>
#include <cstring>

int main() {
    smtpstatus_reply r;
    const char *in = "550 5.1.1 User unknown\r\n";
    if (smtpstatus_reply_parse(in, std::strlen(in), 0, &r) != SMTPSTATUS_OK)
        return 1;
    if (r.code != 550 || r.status.klass != 5)
        return 2;
    if (std::strcmp(smtpstatus_reason_name(SMTPSTATUS_R_USERUNKNOWN), "userunknown") != 0)
        return 3;
    return 0;
}
