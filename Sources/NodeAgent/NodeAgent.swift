import CSystem; import CSeccomp; import CCap; import CNetlink; import CCurl
