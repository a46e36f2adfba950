# asv benchmark package for convx; the cases live in convx/_bench/.
