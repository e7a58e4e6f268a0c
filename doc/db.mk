dist_man_MANS += tnc-db.8
